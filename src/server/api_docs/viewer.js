// Renders /api/v1/openapi.json as a page: every operation with its parameters, request body, responses and
// examples, schemas expanded from their $refs. Served by the 随手拍 server itself; it loads nothing from elsewhere.
"use strict";

(async function () {
  const main = document.getElementById("operations");
  let doc;
  try {
    const res = await fetch("/api/v1/openapi.json");
    doc = await res.json();
  } catch (e) {
    main.textContent = "无法加载文档 (cannot load the document): " + e;
    return;
  }
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) if (c != null) node.append(c instanceof Node ? c : String(c));
    return node;
  };
  const resolve = (ref) => ref.replace(/^#\//, "").split("/").reduce((o, k) => (o ? o[k] : undefined), doc);

  // A schema as readable text: objects as { field: type }, refs expanded once (cycles stop at the name).
  function describe(schema, seen = new Set(), indent = "") {
    if (!schema) return "any";
    if (schema.$ref) {
      const name = schema.$ref.split("/").pop();
      if (seen.has(name)) return name;
      return describe(resolve(schema.$ref), new Set([...seen, name]), indent);
    }
    for (const key of ["oneOf", "anyOf", "allOf"]) {
      if (schema[key]) {
        const parts = schema[key].map((s) => describe(s, seen, indent));
        if (key === "allOf") return parts.join(" & ");
        return parts.join(" | ");
      }
    }
    if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
    const types = [].concat(schema.type || (schema.properties ? "object" : "any"));
    const shown = types.map((t) => {
      if (t === "array") return "[" + describe(schema.items, seen, indent) + "]";
      if (t === "object" && schema.properties) {
        const inner = indent + "  ";
        const required = new Set(schema.required || []);
        const lines = Object.entries(schema.properties).map(([name, prop]) => {
          const note = prop.description ? "  // " + prop.description.replace(/\s+/g, " ") : "";
          return inner + name + (required.has(name) ? "" : "?") + ": " + describe(prop, seen, inner) + note;
        });
        return "{\n" + lines.join("\n") + "\n" + indent + "}";
      }
      const limits = [];
      if (schema.format) limits.push(schema.format);
      if (schema.pattern) limits.push("/" + schema.pattern + "/");
      if (schema.minimum != null || schema.maximum != null) limits.push((schema.minimum ?? "") + ".." + (schema.maximum ?? ""));
      if (schema.maxLength != null) limits.push("≤ " + schema.maxLength + " chars");
      if (schema.maxItems != null) limits.push("≤ " + schema.maxItems + " items");
      return t + (limits.length ? " (" + limits.join(", ") + ")" : "");
    });
    return shown.join(" | ");
  }

  function content(body) {
    const box = el("div");
    for (const [type, media] of Object.entries((body && body.content) || {})) {
      box.append(el("p", {}, el("code", {}, type)));
      if (media.schema) box.append(el("pre", {}, describe(media.schema)));
      const examples = media.example !== undefined ? { example: { value: media.example } } : media.examples || {};
      for (const [name, ex] of Object.entries(examples)) {
        box.append(el("details", {}, el("summary", {}, "示例 (example) " + name), el("pre", {}, JSON.stringify(ex.value, null, 2))));
      }
    }
    return box;
  }

  document.getElementById("title").textContent = doc.info.title;
  document.getElementById("version").textContent = "OpenAPI " + doc.openapi + " · " + doc.info.version;
  const intro = el("section", {}, el("p", {}, doc.info.description || ""));
  const toc = el("ul");
  main.replaceChildren(intro);
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ["get", "head", "post", "put", "patch", "delete"]) {
      const op = item[method];
      if (!op) continue;
      const id = op.operationId || method + path;
      toc.append(el("li", {}, el("a", { href: "#" + id }, method.toUpperCase() + " " + path)));
      const signedIn = (op.security || doc.security || []).length > 0;
      const section = el("section", { class: "op", id },
        el("h2", {}, el("span", { class: "method" }, method), " ", el("span", { class: "path" }, path)),
        el("p", { class: "lock" }, signedIn ? "需要登录 (Authorization: Bearer <token>)" : "无需登录 (no token needed)"),
        el("p", {}, [op.summary, op.description].filter(Boolean).join(" — ")));
      const params = (op.parameters || []).map((p) => (p.$ref ? resolve(p.$ref) : p));
      if (params.length) {
        const table = el("table", {}, el("tr", {}, el("th", {}, "参数 (parameter)"), el("th", {}, "位置 (in)"), el("th", {}, "类型 (type)"), el("th", {}, "说明 (description)")));
        for (const p of params) {
          table.append(el("tr", {}, el("td", {}, el("code", {}, p.name + (p.required ? "" : "?"))), el("td", {}, p.in), el("td", {}, describe(p.schema)), el("td", {}, p.description || "")));
        }
        section.append(el("h3", {}, "参数 (parameters)"), table);
      }
      if (op.requestBody) {
        const body = op.requestBody.$ref ? resolve(op.requestBody.$ref) : op.requestBody;
        section.append(el("h3", {}, "请求体 (request body)"), el("p", { class: "muted" }, body.description || ""), content(body));
      }
      section.append(el("h3", {}, "响应 (responses)"));
      for (const [status, raw] of Object.entries(op.responses || {})) {
        const res = raw.$ref ? resolve(raw.$ref) : raw;
        section.append(el("details", {}, el("summary", {}, el("strong", {}, status), " ", res.description || ""), content(res)));
      }
      main.append(section);
    }
  }
  document.getElementById("toc").append(toc);
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
})();

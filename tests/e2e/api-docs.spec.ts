// The API document's page on a phone: every operation listed, read from our own server, nothing wider than the
// screen.
import { expect, test } from "@playwright/test";
import { noSidewaysScroll } from "./helpers";

test("/api-docs shows every operation of the document on a 360 px screen", async ({ page, request }) => {
  const doc = await (await request.get("/api/v1/openapi.json")).json();
  const operations = Object.values(doc.paths).flatMap((item: any) =>
    ["get", "head", "post", "put", "patch", "delete"].filter((m) => item[m])
  ).length;
  const elsewhere: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith("http://127.0.0.1")) elsewhere.push(r.url());
  });
  await page.goto("/api-docs");
  await expect(page.locator("section.op")).toHaveCount(operations);
  await expect(page.locator("#submit_report")).toContainText("/api/v1/reports/{id}");
  await noSidewaysScroll(page);
  expect(elsewhere).toEqual([]);
});

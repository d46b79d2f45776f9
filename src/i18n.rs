//! Every string of the interface, one table per language. Simplified Chinese is the default; English is complete.
//! Placeholders in braces (`{n}`) are filled with [`fill`].

/// The interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// The name of a role in this language.
    pub fn role_name(self, role: crate::domain::Role) -> &'static str {
        let t = self.texts();
        match role {
            crate::domain::Role::Rider => t.role_rider,
            crate::domain::Role::GridWorker => t.role_grid_worker,
            crate::domain::Role::StationStaff => t.role_station_staff,
            crate::domain::Role::DepartmentStaff => t.role_department_staff,
            crate::domain::Role::Official => t.role_official,
            crate::domain::Role::Admin => t.role_admin,
        }
    }

    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The BCP 47 tag, used for `<html lang>` and storage.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.tag() == tag)
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    pub fn is_english(self) -> bool {
        self == Lang::En
    }
}

/// The server writes its messages as `中文 (English)`: the part in this language.
/// What follows the English part (details the phone added) is kept in both languages.
pub fn server_message(message: &str, lang: Lang) -> String {
    let Some((zh, rest)) = message.split_once(" (") else {
        return message.to_owned();
    };
    let (en, tail) = rest.split_once(')').unwrap_or((rest, ""));
    match lang {
        Lang::Zh => format!("{zh}{tail}"),
        Lang::En => format!("{en}{tail}"),
    }
}

/// Several server messages `中文 (English)` as one, in the same form (so [`server_message`] reads it).
pub fn join_messages(messages: &[&str]) -> String {
    let parts: Vec<(String, String)> = messages
        .iter()
        .map(|m| (server_message(m, Lang::Zh), server_message(m, Lang::En)))
        .collect();
    let zh: Vec<&str> = parts.iter().map(|(z, _)| z.as_str()).collect();
    let en: Vec<&str> = parts.iter().map(|(_, e)| e.as_str()).collect();
    format!("{} ({})", zh.join("；"), en.join("; "))
}

/// Like [`fill`] for a count: `{n}` is `n`, and `{pl}` the English plural ending ("1 photo", "2 photos").
pub fn fill_count(template: &str, n: usize, values: &[(&str, &str)]) -> String {
    let count = n.to_string();
    let mut all = vec![("n", count.as_str()), ("pl", if n == 1 { "" } else { "s" })];
    all.extend_from_slice(values);
    fill(template, &all)
}

/// Replaces each `{key}` in `template` with its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (key, value)| {
            text.replace(&format!("{{{key}}}"), value)
        })
}

macro_rules! texts {
    ($($field:ident),* $(,)?) => {
        /// The interface strings of one language.
        #[derive(Debug)]
        pub struct Texts {
            $(pub $field: &'static str,)*
        }

        impl Texts {
            /// Every string with its field name, so tests can check that no language leaves one out.
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($field), self.$field),)*]
            }
        }
    };
}

texts! {
    app_name,
    tab_report, tab_my_reports, tab_tasks, tab_checkins, tab_stations, tab_pass, tab_settings, tabs_label,
    offline_badge, offline_hint,
    report_title, report_intro,
    my_reports_title, my_reports_intro,
    tasks_title, tasks_intro,
    pass_title, pass_intro,
    checkins_title, checkins_intro,
    enroll_title, enroll_intro, enroll_code_label, enroll_code_hint, enroll_submit, enroll_submitting,
    enroll_scan, enroll_scan_stop, enroll_scan_failed, enroll_bad_format, enroll_invalid, enroll_mistyped, enroll_rate_limited,
    enroll_offline, enroll_failed, enroll_demo_hint,
    account_title, account_signed_in_as, role_rider, role_grid_worker, role_station_staff, role_department_staff, role_official, role_admin,
    sign_out, sign_out_confirm, sign_out_unsent, sign_out_yes, sign_out_anyway, cancel,
    auth_lost, auth_lost_action,
    capture_button, capture_more, capture_working, capture_failed, storage_failed,
    draft_saved_hint, location_label, location_fix, location_locating, location_none, address_label,
    address_hint, category_label, urgent_label, note_label, note_hint, send_cost, send_button, later_button,
    delete_button, delete_confirm, saved_on_phone, report_delivered, report_waiting_response, drafts_title, draft_item, need_category, need_place,
    need_content, need_other,
    state_draft, state_queued, state_sending, state_delivered, state_needs_attention,
    status_received, status_accepted, status_in_progress, status_resolved, status_rejected,
    sync_now, sync_running, sync_queue, sync_all_sent, sync_offline, sync_failed_hint, sync_progress,
    my_reports_empty, report_detail_title, timeline_title, level_label, back_to_list, photo_alt,
    pass_code_label, pass_countdown, pass_no_secret, pass_qr_alt, visits_title, visits_empty, visits_item,
    checkin_input_label, checkin_input_hint, checkin_submit, checkin_scan, checkin_bad_format, checkin_recorded,
    checkins_today, checkin_station, checkin_confirmed_for, checkin_pending, checkin_confirmed, checkin_refused, checkin_unknown_rider,
    station_distance, station_open, station_closed, station_map, map_apple, map_amap,
    tasks_counts, tasks_empty, task_overdue, task_time_left, task_urgent, task_detail_title, task_reporter,
    action_accept, action_start, action_note, action_escalate, action_resolve, action_reject, action_note_label,
    action_reason_label, reject_reason_label, reject_duplicate, reject_invalid, reject_not_our_grid,
    duplicate_of_label, action_queued, action_pending, action_pending_status, action_parked_title,
    action_conflict, action_redo, action_drop, action_redo_not_allowed, action_fix_fields, timeline_escalated,
    level_1, level_2, level_3, points_label, back_to_tasks,
    hours_minutes, compass_points, task_distance, expected_by, leaderboard_title, my_points, leaderboard_item,
    possible_duplicates, duplicate_of_link, points_balance, points_accepted, points_resolved,
    points_duplicate_photo,
    stations_title, stations_count, stations_empty, hours_label, open_all_day, demo_badge, amenities_label,
    amenity_charging, amenity_water, amenity_microwave, amenity_rest_area, amenity_toilet, amenity_first_aid,
    settings_title, settings_language, settings_server, settings_version,
    reference_title, reference_counts, reference_updated, reference_never, reference_refresh,
    reference_refreshing, reference_failed, reference_done, categories_title,
    storage_unavailable,
    update_available, update_action, update_waiting_sync,
    install_title, install_intro, install_button, install_ios_hint,
    error_network, error_server,
    not_found_title, not_found_back,
    lang_name,
    dashboard_title, dashboard_intro, tab_dashboard, dashboard_received, dashboard_resolution_rate,
    dashboard_overdue, dashboard_respond, dashboard_resolve, dashboard_vs_previous, dashboard_no_previous,
    dashboard_map_title, dashboard_table_title, dashboard_name, dashboard_open, dashboard_resolved, dashboard_back,
    dashboard_cached, dashboard_none, dashboard_minutes, dashboard_hours,
    dashboard_satisfaction,
    verdict_badge,
    verdict_title, verdict_hint, verdict_comment, verdict_satisfied, verdict_unsatisfied, verdict_pending, verdict_given,
    dashboard_history_title, dashboard_history_now,
    dashboard_trend_title, dashboard_by_week, dashboard_by_month, dashboard_year_before, dashboard_color, color_red, color_yellow, color_green, rollup_grids, reason_overdue, reason_hotspots, reason_satisfaction, map_legend_task, map_legend_overdue, map_legend_hotspot, map_legend_me, map_hotspot_title, map_more_tasks, tasks_map_title,
    map_baidu, map_tencent, task_hotspot, task_hotspot_advice,
    district_title, district_intro, tab_district, district_map_title, district_map_summary, district_map_empty,
    district_map_label, import_title, import_kind_label, kind_grids, kind_stations, kind_departments, kind_categories,
    kind_users, import_file_label, import_check, import_apply, import_working, import_refused, import_preview,
    import_applied, import_added, import_updated, import_retired, import_unchanged, import_no_file,
    import_read_failed, users_checked, users_created, users_print, export_title, export_reports_title,
    export_from, export_to, audit_title, audit_empty,
    audit_by_command_line, audit_reissue, audit_import, people_title, people_role_label, people_role_all,
    people_place_label, people_place_all, people_count, people_enrolled, people_not_enrolled, people_revoked,
    people_revoke, people_revoke_confirm, people_move_label, people_reissue, people_reissued,
}

pub const ZH: Texts = Texts {
    app_name: "随手拍",
    tab_report: "随手拍",
    tab_my_reports: "我的上报",
    tab_tasks: "任务",
    tab_checkins: "签到",
    tab_stations: "驿站",
    tab_pass: "驿站码",
    tab_settings: "设置",
    tabs_label: "主菜单",
    offline_badge: "离线",
    offline_hint: "当前没有网络，已保存的内容照常可用。",
    report_title: "随手拍",
    report_intro: "拍下路上的隐患，离线也能先保存在手机上，联网后自动发送。",
    my_reports_title: "我的上报",
    my_reports_intro: "在这里查看你上报的隐患处理到哪一步了。",
    tasks_title: "网格任务",
    tasks_intro: "网格员在这里接收本网格的任务，响应、升级和办结。",
    pass_title: "我的驿站码",
    pass_intro: "在暖心驿站出示驿站码，由工作人员确认签到。",
    checkins_title: "驿站签到",
    checkins_intro: "扫描骑手的驿站码或输入短码，确认骑手到站签到。",
    enroll_title: "登录随手拍",
    enroll_intro: "请输入管理员发给你的一次性登录码。",
    enroll_code_label: "登录码",
    enroll_code_hint: "10 位字母和数字，例如 ABCD-EFGH-JK",
    enroll_submit: "登录",
    enroll_submitting: "正在登录…",
    enroll_scan: "扫码登录",
    enroll_scan_stop: "停止扫码",
    enroll_scan_failed: "无法打开摄像头：{reason}。请直接输入登录码。",
    enroll_bad_format: "登录码应为 10 位字母和数字（不含 0、1、I、L、O）。",
    enroll_invalid: "登录码无效、已使用或已过期。请向管理员索取新的登录码。",
    enroll_mistyped: "登录码有一位输错了，请对照登录卡重输（没有 0、1、O、I、L）。",
    enroll_rate_limited: "尝试次数过多，请 {minutes} 分钟后再试。",
    enroll_offline: "网络不可用，请联网后再登录。",
    enroll_failed: "登录失败：{reason}",
    enroll_demo_hint: "演示模式：各角色的登录码显示在服务器启动时的终端输出中，也保存在服务器数据目录的 demo-codes.txt 文件里。",
    account_title: "账号",
    account_signed_in_as: "当前账号：{name}（{role}）",
    role_rider: "骑手",
    role_grid_worker: "网格员",
    role_station_staff: "驿站工作人员",
    role_department_staff: "部门工作人员",
    role_official: "区/街道领导",
    role_admin: "管理员",
    sign_out: "退出登录",
    sign_out_confirm: "确定退出登录吗？退出后需要新的登录码才能再次登录。",
    sign_out_unsent: "手机上还有 {n} 条内容没有发送到服务器！退出后它们仍留在手机上，但要等这个账号重新登录后才能发送。",
    sign_out_yes: "确定退出",
    sign_out_anyway: "仍然退出",
    cancel: "取消",
    auth_lost: "登录已失效（账号可能已被停用）。手机上的内容都还在，请向管理员索取新的登录码。",
    auth_lost_action: "输入新登录码",
    capture_button: "拍照上报",
    capture_more: "再拍一张",
    capture_working: "正在处理照片…",
    capture_failed: "照片处理失败：{reason}",
    storage_failed: "无法保存到手机（存储空间可能已满，或处于无痕模式）：{reason}。照片和填写的内容仍在屏幕上，请腾出空间后再试。",
    draft_saved_hint: "草稿已保存在手机上，可以稍后再完成。",
    location_label: "位置",
    location_fix: "已定位（精度约 {m} 米）",
    location_locating: "正在定位…",
    location_none: "没有定位，请填写地址或地标",
    address_label: "地址或地标",
    address_hint: "例如：大弯中路与青江路路口",
    category_label: "类别",
    urgent_label: "紧急（对人有直接危险）",
    note_label: "说明（可不填）",
    note_hint: "简单描述隐患",
    send_cost: "发送约需 {kb} KB 流量",
    send_button: "发送",
    later_button: "稍后完成",
    delete_button: "删除草稿",
    delete_confirm: "确定删除这份草稿吗？照片也会一起删除。",
    saved_on_phone: "已保存在手机上，联网后自动发送。",
    report_delivered: "已送达，可在「我的上报」查看处理进度。",
    report_waiting_response: "等待网格员响应，{time} 前",
    map_apple: "苹果地图",
    map_amap: "高德地图",
    drafts_title: "草稿",
    draft_item: "{time} · {n} 张照片",
    need_category: "请选择类别",
    need_place: "没有定位，请填写地址或地标",
    need_content: "请拍照或填写说明",
    need_other: "内容有误：{field}",
    state_draft: "草稿",
    state_queued: "待发送",
    state_sending: "发送中",
    state_delivered: "已送达",
    state_needs_attention: "需处理",
    status_received: "已收到",
    status_accepted: "已受理",
    status_in_progress: "处理中",
    status_resolved: "已办结",
    status_rejected: "已退回",
    sync_now: "立即同步",
    sync_running: "正在同步…",
    sync_queue: "待发送 {n} 条，共 {kb} KB",
    sync_all_sent: "全部已送达",
    sync_offline: "没有网络，联网后自动发送。",
    sync_failed_hint: "服务器拒收，请按提示修改或联系管理员：{reason}",
    sync_progress: "已发送 {done}/{total} 条",
    my_reports_empty: "还没有上报。在「随手拍」拍下隐患即可上报。",
    report_detail_title: "上报详情",
    timeline_title: "处理进度",
    level_label: "处置级别",
    back_to_list: "返回列表",
    photo_alt: "隐患照片",
    pass_code_label: "短码",
    pass_countdown: "{s} 秒后更新",
    pass_no_secret: "此账号没有驿站码（只有骑手有）。",
    pass_qr_alt: "驿站码二维码",
    visits_title: "我的到站记录",
    visits_empty: "还没有到站记录。",
    visits_item: "{month} · {station}：{n} 次",
    checkin_input_label: "骑手的驿站码",
    checkin_input_hint: "扫码，或输入骑手念出的 8 位数字",
    checkin_submit: "确认签到",
    checkin_scan: "扫码签到",
    checkin_bad_format: "驿站码应为 8 位数字，或骑手的二维码。",
    checkin_recorded: "已记录在手机上，联网后由服务器确认。",
    checkins_today: "今天 {n} 人次",
    checkin_station: "本站：{name}",
    checkin_confirmed_for: "已确认：{name}",
    checkin_pending: "待同步",
    checkin_confirmed: "已确认",
    checkin_refused: "被拒：{reason}",
    checkin_unknown_rider: "骑手待确认",
    station_distance: "{km} 公里",
    station_open: "营业中",
    station_closed: "已关闭",
    station_map: "地图导航",
    tasks_counts: "逾期 {overdue} · 紧急 {urgent} · 新 {new} · 处理中 {doing}",
    tasks_empty: "本网格暂时没有任务。",
    task_overdue: "已逾期",
    task_time_left: "剩 {t}",
    task_urgent: "紧急",
    task_detail_title: "任务详情",
    task_reporter: "上报人：{name}",
    action_accept: "接单",
    action_start: "开始处置",
    action_note: "备注",
    action_escalate: "升级",
    action_resolve: "办结",
    action_reject: "退回",
    action_note_label: "备注或办结说明",
    action_reason_label: "升级原因",
    reject_reason_label: "退回原因",
    reject_duplicate: "重复上报",
    reject_invalid: "无效上报",
    reject_not_our_grid: "不属于本网格",
    duplicate_of_label: "重复于（上报编号）",
    action_queued: "已保存在手机上，联网后提交。",
    action_pending: "有 {n} 项操作待提交",
    action_pending_status: "{status}（待提交）",
    action_parked_title: "需处理：未能提交的操作",
    action_conflict: "{by} 已于 {time} {what}",
    action_redo: "按现状重做",
    action_drop: "放弃",
    action_redo_not_allowed: "任务现在的状态不允许此操作，只能放弃。",
    action_fix_fields: "请先补全下面标出的内容。",
    timeline_escalated: "升级至 {level}",
    level_1: "专班直处",
    level_2: "部门联处",
    level_3: "提级研处",
    points_label: "新星奖积分：{n}",
    back_to_tasks: "返回任务列表",
    hours_minutes: "{h} 小时 {m} 分",
    compass_points: "北,东北,东,东南,南,西南,西,西北",
    task_distance: "{km} 公里 · {dir}",
    expected_by: "处理中，预计 {time} 前完成",
    leaderboard_title: "本月新星奖排行",
    my_points: "我的积分：{n}",
    leaderboard_item: "{rank}. {name}　{points} 分",
    possible_duplicates: "附近 50 米内 7 天内的同类上报（可能重复）：",
    duplicate_of_link: "这份上报与另一份重复，查看那份的处理进度",
    points_balance: "积分余额：{n}",
    points_accepted: "上报被受理",
    points_resolved: "隐患已办结",
    points_duplicate_photo: "补充了新照片",
    stations_title: "暖心驿站",
    stations_count: "共 {n} 个驿站",
    stations_empty: "还没有驿站信息。联网后会自动获取，之后离线也能查看。",
    hours_label: "开放时间",
    open_all_day: "24小时开放",
    demo_badge: "演示",
    amenities_label: "服务",
    amenity_charging: "充电",
    amenity_water: "饮水",
    amenity_microwave: "微波炉",
    amenity_rest_area: "休息区",
    amenity_toilet: "卫生间",
    amenity_first_aid: "急救药箱",
    settings_title: "设置",
    settings_language: "语言",
    settings_server: "服务器",
    settings_version: "版本",
    reference_title: "基础数据",
    reference_counts: "类别 {categories} 个 · 驿站 {stations} 个 · 网格 {grids} 个",
    reference_updated: "更新于 {time}",
    reference_never: "尚未获取",
    reference_refresh: "立即更新",
    reference_refreshing: "正在更新…",
    reference_failed: "更新失败：{reason}。手机上保存的数据仍可离线使用。",
    reference_done: "已是最新",
    categories_title: "上报类别",
    storage_unavailable: "无法使用手机存储（可能是无痕模式或空间已满），数据不会保存在手机上。",
    update_available: "新版本可用",
    update_action: "更新",
    update_waiting_sync: "正在等待发送完成，随后更新…",
    install_title: "安装到手机",
    install_intro: "安装后可从主屏幕直接打开，没有网络也能用。",
    install_button: "安装随手拍",
    install_ios_hint: "在 Safari 中点“分享”按钮，再选“添加到主屏幕”。添加后从主屏幕打开，手机上的内容会一直保留。",
    error_network: "网络不可用",
    error_server: "服务器出错（{status}）",
    not_found_title: "页面不存在",
    not_found_back: "返回首页",
    lang_name: "中文",
    district_title: "区级管理",
    district_intro: "导入本区的网格、驿站、部门和两张清单，为骑手办理登录卡。每个文件先整体检查，有错就不做任何更改。",
    tab_district: "管理",
    tab_dashboard: "数据",
    dashboard_title: "数据看板",
    dashboard_intro: "按上报日期（北京时间）统计，并与上一个同样长的时段比较（环比）。点一行查看下一级：街道 → 社区 → 网格。",
    dashboard_received: "上报",
    dashboard_resolution_rate: "办结率",
    dashboard_overdue: "逾期",
    dashboard_respond: "响应用时（中位）",
    dashboard_resolve: "办结用时（中位）",
    dashboard_vs_previous: "环比",
    dashboard_no_previous: "上期无数据",
    dashboard_map_title: "红黄绿预警",
    dashboard_table_title: "分级统计",
    dashboard_name: "名称",
    dashboard_open: "在办",
    dashboard_resolved: "已办结",
    dashboard_back: "返回上一级",
    dashboard_cached: "离线：显示 {time} 的数据",
    dashboard_none: "这段时间没有上报",
    dashboard_minutes: "{n} 分钟",
    dashboard_hours: "{n} 小时",
    dashboard_satisfaction: "满意率",
    verdict_badge: "{n} 条上报等你评价",
    verdict_title: "对处理结果满意吗？",
    verdict_hint: "你的评价会回到网格；不满意会重新交办一次。",
    verdict_comment: "说明（选填）",
    verdict_satisfied: "满意",
    verdict_unsatisfied: "不满意",
    verdict_pending: "你的评价「{verdict}」已存手机，联网后发送",
    verdict_given: "你的评价：{verdict}",
    dashboard_history_title: "降级转化（颜色变化）",
    dashboard_history_now: "现在：{color}",
    dashboard_trend_title: "趋势",
    dashboard_by_week: "按周",
    dashboard_by_month: "按月",
    dashboard_year_before: "同比",
    dashboard_color: "预警",
    color_red: "红",
    color_yellow: "黄",
    color_green: "绿",
    rollup_grids: "网格：{red} 红 · {yellow} 黄 · {green} 绿",
    reason_overdue: "{n} 项逾期",
    reason_hotspots: "{n} 处反复出现",
    reason_satisfaction: "满意率 {p}%（{n} 条评价）",
    map_legend_task: "在办任务",
    map_legend_overdue: "逾期任务",
    map_legend_hotspot: "反复出现（重大顽疾）",
    map_legend_me: "你的位置",
    map_hotspot_title: "{category} · 30 天内 {n} 次",
    map_more_tasks: "只画出最逾期的 {n} 项任务",
    tasks_map_title: "网格地图",
    map_baidu: "百度地图",
    map_tencent: "腾讯地图",
    task_hotspot: "反复出现",
    task_hotspot_advice: "50 米内 30 天里同类问题已报 3 次以上（重大顽疾），建议提级研处。",
    district_map_title: "网格与驿站",
    district_map_summary: "{grids} 个网格 · {stations} 个驿站",
    district_map_empty: "还没有网格。导入网格文件后在这里显示。",
    district_map_label: "本区网格（色块）与暖心驿站（圆点）示意图",
    import_title: "导入文件",
    import_kind_label: "导入什么",
    kind_grids: "网格（GeoJSON）",
    kind_stations: "驿站（CSV 或 GeoJSON）",
    kind_departments: "部门（CSV）",
    kind_categories: "两张清单（CSV）",
    kind_users: "人员（CSV，办理登录卡）",
    import_file_label: "选择文件",
    import_check: "检查文件",
    import_apply: "应用这些更改",
    import_working: "正在处理…",
    import_refused: "文件有 {n} 处错误，没有做任何更改。改好后再检查：",
    import_preview: "检查通过。应用后将：",
    import_applied: "已应用：",
    import_added: "新增 {n}",
    import_updated: "更新 {n}",
    import_retired: "停用 {n}",
    import_unchanged: "不变 {n}",
    import_no_file: "请先选择文件。",
    import_read_failed: "读不出这个文件：{reason}",
    users_checked: "检查通过，没有错误。应用后为每人生成一次性登录码。",
    users_created: "已为 {n} 人生成登录码。登录码只在这里显示一次，请现在打印登录卡。",
    users_print: "打印登录卡",
    export_title: "导出（可在 QGIS 或表格里修改后再导入）",
    export_reports_title: "导出上报（按上报日期，北京时间）",
    export_from: "从",
    export_to: "到",
    audit_title: "操作记录",
    audit_empty: "还没有记录。",
    audit_by_command_line: "命令行",
    audit_reissue: "补发登录码",
    audit_import: "导入{what}",
    people_title: "人员",
    people_role_label: "角色",
    people_role_all: "全部角色",
    people_place_label: "网格、驿站或部门",
    people_place_all: "全部网格、驿站和部门",
    people_count: "共 {n} 人 · 已登录 {m} 人",
    people_enrolled: "已登录",
    people_not_enrolled: "未登录",
    people_revoked: "已停用",
    people_revoke: "停用",
    people_revoke_confirm: "停用「{name}」？其手机上的登录立即失效，未用的登录码作废。",
    people_move_label: "调到网格",
    people_reissue: "为这里未登录的人补发登录码",
    people_reissued: "已补发 {n} 个登录码（旧码作废）。登录码只在这里显示一次，请现在打印登录卡。",
};

pub const EN: Texts = Texts {
    app_name: "Suishoupai",
    tab_report: "Report",
    tab_my_reports: "My reports",
    tab_tasks: "Tasks",
    tab_checkins: "Check-ins",
    tab_stations: "Stations",
    tab_pass: "My pass",
    tab_settings: "Settings",
    tabs_label: "Main menu",
    offline_badge: "Offline",
    offline_hint: "No network right now; everything saved still works.",
    report_title: "Report a hazard",
    report_intro: "Photograph a hazard on the road; it is kept on this phone when offline and sent when the network returns.",
    my_reports_title: "My reports",
    my_reports_intro: "See what became of the hazards you reported.",
    tasks_title: "Grid tasks",
    tasks_intro: "Grid workers receive their grid's tasks here, respond, escalate and resolve them.",
    pass_title: "My station pass",
    pass_intro: "Show your pass at a warm-heart station; the staff confirm your check-in.",
    checkins_title: "Station check-ins",
    checkins_intro: "Scan a rider's pass or type its short code to confirm their visit.",
    enroll_title: "Sign in to Suishoupai",
    enroll_intro: "Enter the one-time code your administrator gave you.",
    enroll_code_label: "Enrollment code",
    enroll_code_hint: "10 letters and digits, e.g. ABCD-EFGH-JK",
    enroll_submit: "Sign in",
    enroll_submitting: "Signing in…",
    enroll_scan: "Scan a code",
    enroll_scan_stop: "Stop scanning",
    enroll_scan_failed: "Can't open the camera: {reason}. Type the code instead.",
    enroll_bad_format: "A code has 10 letters and digits (no 0, 1, I, L or O).",
    enroll_invalid: "This code is unknown, used or expired. Ask your administrator for a new one.",
    enroll_mistyped: "One character of the code is mistyped: check it against the card (there is no 0, 1, O, I or L).",
    enroll_rate_limited: "Too many attempts. Try again in {minutes} minutes.",
    enroll_offline: "No network. Sign in when you are online.",
    enroll_failed: "Sign-in failed: {reason}",
    enroll_demo_hint: "Demo mode: each role's code is printed in the server's terminal at start and kept in demo-codes.txt in the server's data folder.",
    account_title: "Account",
    account_signed_in_as: "Signed in as {name} ({role})",
    role_rider: "Rider",
    role_grid_worker: "Grid worker",
    role_station_staff: "Station staff",
    role_department_staff: "Department staff",
    role_official: "Official",
    role_admin: "Administrator",
    sign_out: "Sign out",
    sign_out_confirm: "Sign out? You will need a new code to sign in again.",
    sign_out_unsent: "{n} items on this phone have not reached the server! They stay on the phone but are sent only after this account signs in again.",
    sign_out_yes: "Sign out",
    sign_out_anyway: "Sign out anyway",
    cancel: "Cancel",
    auth_lost: "Your sign-in is no longer valid (the account may be revoked). Everything on this phone is kept; ask your administrator for a new code.",
    auth_lost_action: "Enter a new code",
    capture_button: "Snap a hazard",
    capture_more: "Add a photo",
    capture_working: "Preparing the photo…",
    capture_failed: "The photo could not be prepared: {reason}",
    storage_failed: "Could not save on this phone (storage full or private mode): {reason}. The photo and what you typed are still here; free some space and try again.",
    draft_saved_hint: "The draft is saved on this phone; finish it later if you like.",
    location_label: "Location",
    location_fix: "Located (within about {m} m)",
    location_locating: "Locating…",
    location_none: "No location: type an address or landmark",
    address_label: "Address or landmark",
    address_hint: "e.g. the corner of Dawan Middle Rd and Qingjiang Rd",
    category_label: "Category",
    urgent_label: "Urgent (immediate danger to people)",
    note_label: "Note (optional)",
    note_hint: "Describe the hazard briefly",
    send_cost: "Sending costs about {kb} KB of data",
    send_button: "Send",
    later_button: "Finish later",
    delete_button: "Delete draft",
    delete_confirm: "Delete this draft? Its photos are deleted too.",
    saved_on_phone: "Saved on this phone; it is sent when the network is back.",
    report_delivered: "Delivered. Follow it under My reports.",
    report_waiting_response: "Waiting for the grid worker, by {time}",
    map_apple: "Apple Maps",
    map_amap: "Amap",
    drafts_title: "Drafts",
    draft_item: "{time} · {n} photo{pl}",
    need_category: "Choose a category",
    need_place: "No location: type an address or landmark",
    need_content: "Take a photo or write a note",
    need_other: "Something is wrong: {field}",
    state_draft: "Draft",
    state_queued: "Queued",
    state_sending: "Sending",
    state_delivered: "Delivered",
    state_needs_attention: "Needs attention",
    status_received: "Received",
    status_accepted: "Accepted",
    status_in_progress: "In progress",
    status_resolved: "Resolved",
    status_rejected: "Rejected",
    sync_now: "Sync now",
    sync_running: "Syncing…",
    sync_queue: "{n} queued, {kb} KB",
    sync_all_sent: "Everything delivered",
    sync_offline: "No network; queued reports are sent when it is back.",
    sync_failed_hint: "The server refused it; change it as it says or ask your administrator: {reason}",
    sync_progress: "Sent {done}/{total}",
    my_reports_empty: "No reports yet. Snap a hazard on the Report tab.",
    report_detail_title: "Report",
    timeline_title: "What happened",
    level_label: "Level",
    back_to_list: "Back to the list",
    photo_alt: "Hazard photo",
    pass_code_label: "Short code",
    pass_countdown: "Changes in {s} s",
    pass_no_secret: "This account has no station pass (riders only).",
    pass_qr_alt: "Station pass QR code",
    visits_title: "My visits",
    visits_empty: "No visits yet.",
    visits_item: "{month} · {station}: {n} visit{pl}",
    checkin_input_label: "The rider's pass",
    checkin_input_hint: "Scan it, or type the 8 digits the rider reads out",
    checkin_submit: "Confirm check-in",
    checkin_scan: "Scan a pass",
    checkin_bad_format: "A pass is 8 digits or the rider's QR code.",
    checkin_recorded: "Recorded on this phone; the server confirms it when online.",
    checkins_today: "{n} check-in{pl} today",
    checkin_station: "This station: {name}",
    checkin_confirmed_for: "Confirmed: {name}",
    checkin_pending: "Pending sync",
    checkin_confirmed: "Confirmed",
    checkin_refused: "Refused: {reason}",
    checkin_unknown_rider: "Rider to be confirmed",
    station_distance: "{km} km",
    station_open: "Open now",
    station_closed: "Closed",
    station_map: "Open in map app",
    tasks_counts: "{overdue} overdue · {urgent} urgent · {new} new · {doing} in progress",
    tasks_empty: "No tasks in your grid.",
    task_overdue: "Overdue",
    task_time_left: "{t} left",
    task_urgent: "Urgent",
    task_detail_title: "Task",
    task_reporter: "Reported by {name}",
    action_accept: "Accept",
    action_start: "Start",
    action_note: "Add note",
    action_escalate: "Escalate",
    action_resolve: "Resolve",
    action_reject: "Reject",
    action_note_label: "Note or resolution",
    action_reason_label: "Reason for escalating",
    reject_reason_label: "Reason for rejecting",
    reject_duplicate: "Duplicate",
    reject_invalid: "Invalid",
    reject_not_our_grid: "Not our grid",
    duplicate_of_label: "Duplicate of (report id)",
    action_queued: "Saved on this phone; submitted when online.",
    action_pending: "{n} action{pl} waiting to be sent",
    action_pending_status: "{status} (not sent yet)",
    action_parked_title: "Needs attention: actions not submitted",
    action_conflict: "{by}: \"{what}\" at {time}",
    action_redo: "Redo on the task as it is",
    action_drop: "Drop",
    action_redo_not_allowed: "The task's status no longer allows this action; you can only drop it.",
    action_fix_fields: "Fill in the fields marked below first.",
    timeline_escalated: "Escalated to {level}",
    level_1: "Grid team handles it",
    level_2: "Departments handle it jointly",
    level_3: "Escalated to the district",
    points_label: "New-star points: {n}",
    back_to_tasks: "Back to tasks",
    hours_minutes: "{h} h {m} min",
    compass_points: "N,NE,E,SE,S,SW,W,NW",
    task_distance: "{km} km · {dir}",
    expected_by: "In progress, expected by {time}",
    leaderboard_title: "This month's new-star ranking",
    my_points: "My points: {n}",
    leaderboard_item: "{rank}. {name}  {points} points",
    possible_duplicates: "Same category within 50 m in the last 7 days (possible duplicates):",
    duplicate_of_link: "This report duplicates another: follow that one's progress",
    points_balance: "Balance: {n} points",
    points_accepted: "report accepted",
    points_resolved: "hazard resolved",
    points_duplicate_photo: "added a new photo",
    stations_title: "Warm-heart stations",
    stations_count: "{n} station{pl}",
    stations_empty: "No station information yet. It is fetched when online and then works offline.",
    hours_label: "Hours",
    open_all_day: "Open 24 hours",
    demo_badge: "Demo",
    amenities_label: "Amenities",
    amenity_charging: "Charging",
    amenity_water: "Water",
    amenity_microwave: "Microwave",
    amenity_rest_area: "Rest area",
    amenity_toilet: "Toilet",
    amenity_first_aid: "First aid",
    settings_title: "Settings",
    settings_language: "Language",
    settings_server: "Server",
    settings_version: "App version",
    reference_title: "Reference data",
    reference_counts: "{categories} categories · {stations} stations · {grids} grids",
    reference_updated: "Updated {time}",
    reference_never: "Not fetched yet",
    reference_refresh: "Update now",
    reference_refreshing: "Updating…",
    reference_failed: "Update failed: {reason}. The copy on this phone still works offline.",
    reference_done: "Up to date",
    categories_title: "Report categories",
    storage_unavailable: "This phone's storage can't be used (private mode or storage full); nothing will be kept on the phone.",
    update_available: "A new version is available",
    update_action: "Update",
    update_waiting_sync: "Waiting for sending to finish, then updating…",
    install_title: "Install on this phone",
    install_intro: "Once installed, the app opens from the home screen, also with no network.",
    install_button: "Install the app",
    install_ios_hint: "In Safari, tap the Share button, then Add to Home Screen. Opened from the home screen, the app keeps what is on this phone.",
    error_network: "no network",
    error_server: "server error ({status})",
    not_found_title: "Page not found",
    not_found_back: "Back to the start",
    lang_name: "English",
    district_title: "District",
    district_intro: "Load the district's grids, stations, departments and category lists (who answers each kind of problem, and by when), and make riders' sign-in cards. Each file is checked whole first; a file with faults changes nothing.",
    tab_district: "District",
    tab_dashboard: "Figures",
    dashboard_title: "Figures",
    dashboard_intro: "By the day reports were received (Beijing time), beside the period of the same length before. Tap a row for the level below: street → community → grid.",
    dashboard_received: "Received",
    dashboard_resolution_rate: "Resolved rate",
    dashboard_overdue: "Overdue",
    dashboard_respond: "Time to answer (median)",
    dashboard_resolve: "Time to resolve (median)",
    dashboard_vs_previous: "vs. previous",
    dashboard_no_previous: "nothing before",
    dashboard_map_title: "Red, yellow, green",
    dashboard_table_title: "By level",
    dashboard_name: "Name",
    dashboard_open: "Open",
    dashboard_resolved: "Resolved",
    dashboard_back: "Up one level",
    dashboard_cached: "Offline: figures as of {time}",
    dashboard_none: "No reports in this period",
    dashboard_minutes: "{n} min",
    dashboard_hours: "{n} h",
    dashboard_satisfaction: "Satisfied",
    verdict_badge: "{n} reports wait for your verdict",
    verdict_title: "Are you satisfied with how it was fixed?",
    verdict_hint: "Your verdict goes back to the grid; “not satisfied” sends it back to be fixed once more.",
    verdict_comment: "Comment (optional)",
    verdict_satisfied: "Satisfied",
    verdict_unsatisfied: "Not satisfied",
    verdict_pending: "Your verdict “{verdict}” is saved on the phone and goes out when online",
    verdict_given: "Your verdict: {verdict}",
    dashboard_history_title: "Colour over the period (red → yellow → green)",
    dashboard_history_now: "now: {color}",
    dashboard_trend_title: "Trend",
    dashboard_by_week: "Weekly",
    dashboard_by_month: "Monthly",
    dashboard_year_before: "vs. a year before",
    dashboard_color: "Warning",
    color_red: "red",
    color_yellow: "yellow",
    color_green: "green",
    rollup_grids: "grids: {red} red · {yellow} yellow · {green} green",
    reason_overdue: "{n} overdue",
    reason_hotspots: "{n} recurring hotspots",
    reason_satisfaction: "{p}% satisfied ({n} verdicts)",
    map_legend_task: "Open task",
    map_legend_overdue: "Overdue task",
    map_legend_hotspot: "Recurring hotspot",
    map_legend_me: "You are here",
    map_hotspot_title: "{category} · {n} times in 30 days",
    map_more_tasks: "Only the {n} most overdue tasks are drawn",
    tasks_map_title: "Map of my grid",
    map_baidu: "Baidu Maps",
    map_tencent: "Tencent Maps",
    task_hotspot: "Keeps coming back",
    task_hotspot_advice: "Reported three or more times within 50 m in 30 days (a recurring problem): consider escalating it to level 3.",
    district_map_title: "Grids and stations",
    district_map_summary: "{grids} grids · {stations} stations",
    district_map_empty: "No grids yet. They show here once a grids file is imported.",
    district_map_label: "Sketch of the district's grids (shapes) and stations (dots)",
    import_title: "Import a file",
    import_kind_label: "What to import",
    kind_grids: "Grids (GeoJSON)",
    kind_stations: "Stations (CSV or GeoJSON)",
    kind_departments: "Departments (CSV)",
    kind_categories: "Category lists (CSV)",
    kind_users: "People (CSV, sign-in cards)",
    import_file_label: "Choose the file",
    import_check: "Check the file",
    import_apply: "Apply these changes",
    import_working: "Working…",
    import_refused: "The file has {n} fault{pl}; nothing was changed. Fix and check again:",
    import_preview: "The file is fine. Applying it will:",
    import_applied: "Applied:",
    import_added: "add {n}",
    import_updated: "update {n}",
    import_retired: "retire {n}",
    import_unchanged: "leave {n} unchanged",
    import_no_file: "Choose a file first.",
    import_read_failed: "This file cannot be read: {reason}",
    users_checked: "The file is fine. Applying it makes a one-time sign-in code for each person.",
    users_created: "Codes made for {n} people. They are shown only here: print the cards now.",
    users_print: "Print the sign-in cards",
    export_title: "Export (edit in QGIS or a spreadsheet, then import again)",
    export_reports_title: "Export reports (by the day received, Beijing time)",
    export_from: "From",
    export_to: "To",
    audit_title: "Audit log",
    audit_empty: "Nothing logged yet.",
    audit_by_command_line: "command line",
    audit_reissue: "Codes reissued",
    audit_import: "Imported {what}",
    people_title: "People",
    people_role_label: "Role",
    people_role_all: "All roles",
    people_place_label: "Grid, station or department",
    people_place_all: "All grids, stations and departments",
    people_count: "{n} people · {m} signed in",
    people_enrolled: "Signed in",
    people_not_enrolled: "Not signed in",
    people_revoked: "Revoked",
    people_revoke: "Revoke",
    people_revoke_confirm: "Revoke {name}? Their phone is signed out at once and unused codes stop working.",
    people_move_label: "Move to grid",
    people_reissue: "New codes for those here not signed in",
    people_reissued: "{n} new codes (the old ones stop working). They are shown only here: print the cards now.",
};

#[cfg(test)]
mod tests {
    use super::*;

    fn has_han(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    fn placeholders(s: &str) -> Vec<&str> {
        s.split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(k, _)| k))
            .collect()
    }

    #[test]
    fn no_string_is_left_empty_in_either_language() {
        for lang in Lang::ALL {
            for (field, text) in lang.texts().entries() {
                assert!(!text.trim().is_empty(), "{lang:?}.{field} is empty");
            }
        }
    }

    #[test]
    fn english_has_no_chinese_and_chinese_is_chinese() {
        for (field, text) in EN.entries() {
            assert!(!has_han(text), "EN.{field} has Chinese: {text}");
        }
        for (field, text) in ZH.entries() {
            assert!(has_han(text), "ZH.{field} has no Chinese: {text}");
        }
    }

    #[test]
    fn both_languages_use_the_same_placeholders() {
        for ((field, zh), (_, en)) in ZH.entries().into_iter().zip(EN.entries()) {
            let (mut a, mut b) = (placeholders(zh), placeholders(en));
            // `{pl}`, the English plural ending, has no Chinese counterpart.
            b.retain(|p| *p != "pl");
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "placeholders of {field} differ");
        }
    }

    #[test]
    fn fill_replaces_every_placeholder() {
        assert_eq!(fill(ZH.stations_count, &[("n", "22")]), "共 22 个驿站");
        assert_eq!(fill_count(EN.stations_count, 1, &[]), "1 station");
        assert_eq!(fill_count(EN.stations_count, 22, &[]), "22 stations");
        assert_eq!(fill_count(ZH.stations_count, 1, &[]), "共 1 个驿站");
        assert_eq!(
            fill(
                EN.reference_counts,
                &[("categories", "11"), ("stations", "22"), ("grids", "8")]
            ),
            "11 categories · 22 stations · 8 grids"
        );
    }

    #[test]
    fn server_messages_are_shown_in_the_interface_language() {
        let m = "驿站码无效或已过期 (forged, expired, or not a rider's pass)";
        assert_eq!(server_message(m, Lang::Zh), "驿站码无效或已过期");
        assert_eq!(
            server_message(m, Lang::En),
            "forged, expired, or not a rider's pass"
        );
        let with_details = "输入有误 (invalid input) (captured_at: in the future)";
        assert_eq!(
            server_message(with_details, Lang::Zh),
            "输入有误 (captured_at: in the future)"
        );
        assert_eq!(
            server_message(with_details, Lang::En),
            "invalid input (captured_at: in the future)"
        );
        assert_eq!(server_message("plain", Lang::En), "plain");
    }

    #[test]
    fn language_tags_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        }
        assert_eq!(Lang::default(), Lang::Zh);
        assert_eq!(Lang::from_tag("fr"), None);
    }
}

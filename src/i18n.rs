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
    tab_report, tab_my_reports, tab_tasks, tab_stations, tab_pass, tab_settings, tabs_label,
    offline_badge, offline_hint,
    being_built,
    report_title, report_intro,
    my_reports_title, my_reports_intro,
    tasks_title, tasks_intro,
    pass_title, pass_intro,
    stations_title, stations_count, stations_empty, hours_label, open_all_day, demo_badge, amenities_label,
    amenity_charging, amenity_water, amenity_microwave, amenity_rest_area, amenity_toilet, amenity_first_aid,
    settings_title, settings_language, settings_server, settings_version,
    reference_title, reference_counts, reference_updated, reference_never, reference_refresh,
    reference_refreshing, reference_failed, reference_done, categories_title,
    storage_unavailable,
    error_network, error_server,
    not_found_title, not_found_back,
    lang_name,
}

pub const ZH: Texts = Texts {
    app_name: "随手拍",
    tab_report: "随手拍",
    tab_my_reports: "我的上报",
    tab_tasks: "任务",
    tab_stations: "驿站",
    tab_pass: "驿站码",
    tab_settings: "设置",
    tabs_label: "主菜单",
    offline_badge: "离线",
    offline_hint: "当前没有网络，已保存的内容照常可用。",
    being_built: "此功能正在建设中。",
    report_title: "随手拍",
    report_intro: "拍下路上的隐患，离线也能先保存在手机上，联网后自动发送。",
    my_reports_title: "我的上报",
    my_reports_intro: "在这里查看你上报的隐患处理到哪一步了。",
    tasks_title: "网格任务",
    tasks_intro: "网格员在这里接收本网格的任务，响应、升级和办结。",
    pass_title: "我的驿站码",
    pass_intro: "在暖心驿站出示驿站码，由工作人员确认签到。",
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
    error_network: "网络不可用",
    error_server: "服务器出错（{status}）",
    not_found_title: "页面不存在",
    not_found_back: "返回首页",
    lang_name: "中文",
};

pub const EN: Texts = Texts {
    app_name: "Suishoupai",
    tab_report: "Report",
    tab_my_reports: "My reports",
    tab_tasks: "Tasks",
    tab_stations: "Stations",
    tab_pass: "My pass",
    tab_settings: "Settings",
    tabs_label: "Main menu",
    offline_badge: "Offline",
    offline_hint: "No network right now; everything saved still works.",
    being_built: "This feature is being built.",
    report_title: "Snap a hazard",
    report_intro: "Photograph a hazard on the road; it is kept on this phone when offline and sent when the network returns.",
    my_reports_title: "My reports",
    my_reports_intro: "See what became of the hazards you reported.",
    tasks_title: "Grid tasks",
    tasks_intro: "Grid workers receive their grid's tasks here, respond, escalate and resolve them.",
    pass_title: "My station pass",
    pass_intro: "Show your pass at a warm-heart station; the staff confirm your check-in.",
    stations_title: "Warm-heart stations",
    stations_count: "{n} stations",
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
    error_network: "no network",
    error_server: "server error ({status})",
    not_found_title: "Page not found",
    not_found_back: "Back to the start",
    lang_name: "English",
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
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "placeholders of {field} differ");
        }
    }

    #[test]
    fn fill_replaces_every_placeholder() {
        assert_eq!(fill(ZH.stations_count, &[("n", "22")]), "共 22 个驿站");
        assert_eq!(
            fill(
                EN.reference_counts,
                &[("categories", "11"), ("stations", "22"), ("grids", "8")]
            ),
            "11 categories · 22 stations · 8 grids"
        );
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

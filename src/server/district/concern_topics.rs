//! The topics riders file their concerns under (小区进门难, 充电, 停车 …): a CSV of `code, name_zh, name_en`, in
//! the order the phone lists them. A topic left out is retired: concerns filed under it keep it.
use crate::server::db::{self, Tx};

use super::departments::{is_code, CODE_EN, CODE_ZH};
use super::{csv_file, csv_rows, duplicate_keys, Fault, Kind, Reference};
use crate::domain::concern::ConcernTopic;

const COLUMNS: [&str; 3] = ["code", "name_zh", "name_en"];

pub struct ConcernTopics;

/// A topic and its place in the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    pub topic: ConcernTopic,
    pub position: i64,
}

impl Reference for ConcernTopics {
    type Item = Topic;
    const KIND: Kind = Kind::ConcernTopics;
    const TABLE: (&'static str, &'static str) = ("concern_topics", "code");

    fn key(item: &Topic) -> &str {
        &item.topic.code
    }

    fn parse(bytes: &[u8], _name: &str) -> Result<Vec<Topic>, Vec<Fault>> {
        let rows = csv_rows(bytes, &COLUMNS)?;
        let mut faults = Vec::new();
        let mut items = Vec::new();
        for (position, (row, r)) in rows.into_iter().enumerate() {
            let topic = ConcernTopic {
                code: r["code"].clone(),
                name_zh: r["name_zh"].clone(),
                name_en: r["name_en"].clone(),
            };
            let at = format!("row {row} (code \"{}\")", topic.code);
            if !is_code(&topic.code) {
                faults.push(Fault::new(&at, CODE_ZH, CODE_EN));
            }
            if topic.name_zh.is_empty() || topic.name_en.is_empty() {
                faults.push(Fault::new(
                    &at,
                    "中文名和英文名都要填",
                    "both names are required",
                ));
            }
            let position = position as i64 + 1;
            items.push((at, Topic { topic, position }));
        }
        faults.extend(duplicate_keys(
            items
                .iter()
                .map(|(at, t)| (at.clone(), t.topic.code.as_str())),
            "code",
        ));
        if items.is_empty() {
            faults.push(Fault::new(
                "file",
                "至少要有一个话题",
                "at least one topic is required",
            ));
        }
        if faults.is_empty() {
            Ok(items.into_iter().map(|(_, t)| t).collect())
        } else {
            Err(faults)
        }
    }

    async fn load(tx: &mut Tx) -> anyhow::Result<Vec<(Topic, bool)>> {
        let rows: Vec<(String, String, String, i64, bool)> = db::query_as(
            "SELECT code, name_zh, name_en, position, retired_at IS NOT NULL FROM concern_topics
             ORDER BY position, code",
        )
        .fetch_all(&mut *tx)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(code, name_zh, name_en, position, retired)| {
                let topic = ConcernTopic {
                    code,
                    name_zh,
                    name_en,
                };
                (Topic { topic, position }, retired)
            })
            .collect())
    }

    async fn put(tx: &mut Tx, t: &Topic, seq: i64) -> anyhow::Result<()> {
        db::query(
            "INSERT INTO concern_topics (code, name_zh, name_en, position, retired_at, change_seq)
             VALUES (?1, ?2, ?3, ?4, NULL, ?5)
             ON CONFLICT (code) DO UPDATE SET name_zh = ?2, name_en = ?3, position = ?4, retired_at = NULL,
                                              change_seq = ?5",
        )
        .bind(&t.topic.code)
        .bind(&t.topic.name_zh)
        .bind(&t.topic.name_en)
        .bind(t.position)
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    fn write(items: &[Topic]) -> anyhow::Result<Vec<u8>> {
        csv_file(
            &COLUMNS,
            items
                .iter()
                .map(|t| {
                    vec![
                        t.topic.code.clone(),
                        t.topic.name_zh.clone(),
                        t.topic.name_en.clone(),
                    ]
                })
                .collect(),
        )
    }
}

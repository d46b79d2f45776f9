//! The district's reports as a spreadsheet: CSV (UTF-8 with a byte-order mark, so Excel shows Chinese) or XLSX,
//! with Chinese column headers, for a period and optionally one 街道, 社区, grid or category. Rows are read from
//! the database one at a time and written out as they come, so a million reports never sit in memory: the CSV
//! goes straight to the response, the XLSX's sheet to a temporary file (the format needs the whole sheet before
//! its archive can close) and from there to the response.
use crate::server::db::{self, Db};
use std::io::Write;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, TryStreamExt};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::concern::{ConcernGroupBy, ConcernStats};
use crate::domain::figures::{china_time, format_date, ExportFormat, Period};
use crate::domain::{ReportStatus, ReportSubmission, Role, TimelineEntry, User};
use crate::server::auth::CurrentUser;
use crate::server::openapi::{Forbidden, Invalid, Malformed, Unauthorized};
use crate::server::{AppState, Error, Result};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_reports))
}

/// Which reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub street: Option<String>,
    pub community: Option<String>,
    pub grid: Option<String>,
    pub category: Option<String>,
}

/// The columns, in order (the headers of the file).
pub const HEADERS: [&str; 18] = [
    "编号",
    "上报时间",
    "类别",
    "紧急",
    "描述",
    "地址",
    "纬度",
    "经度",
    "照片数",
    "街道",
    "社区",
    "网格",
    "状态",
    "响应级别",
    "期限",
    "办结时间",
    "最后更新",
    "重复于",
];

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    received_at: String,
    category: String,
    category_name: Option<String>,
    submitted: String,
    status: String,
    level: i64,
    deadline: Option<String>,
    updated_at: String,
    timeline: String,
    street: Option<String>,
    community: Option<String>,
    grid_name: Option<String>,
    duplicate_of: Option<String>,
}

/// One cell: text, or a number the spreadsheet can sum.
enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl Row {
    fn cells(self) -> Vec<Cell> {
        let submitted: Option<ReportSubmission> = serde_json::from_str(&self.submitted).ok();
        let timeline: Vec<TimelineEntry> = serde_json::from_str(&self.timeline).unwrap_or_default();
        let resolved_at = timeline
            .iter()
            .rev()
            .find(|e| e.status == ReportStatus::Resolved)
            .map(|e| china_time(&e.at));
        let status: Option<ReportStatus> =
            serde_json::from_value(serde_json::Value::String(self.status.clone())).ok();
        let text = |s: Option<String>| s.map_or(Cell::Empty, Cell::Text);
        let number = |n: Option<f64>| n.map_or(Cell::Empty, Cell::Number);
        let s = submitted.as_ref();
        vec![
            Cell::Text(self.id),
            Cell::Text(china_time(&self.received_at)),
            Cell::Text(self.category_name.unwrap_or(self.category)),
            Cell::Text(
                if s.is_some_and(|s| s.urgent) {
                    "是"
                } else {
                    "否"
                }
                .into(),
            ),
            text(s.map(|s| s.description.clone())),
            text(s.and_then(|s| s.address.clone())),
            number(s.and_then(|s| s.lat)),
            number(s.and_then(|s| s.lon)),
            Cell::Number(s.map_or(0, |s| s.photos.len()) as f64),
            text(self.street.filter(|s| !s.is_empty())),
            text(self.community.filter(|s| !s.is_empty())),
            text(self.grid_name),
            Cell::Text(status.map_or(self.status, |s| status_zh(s).to_owned())),
            Cell::Number(self.level as f64),
            text(self.deadline.as_deref().map(china_time)),
            text(resolved_at),
            Cell::Text(china_time(&self.updated_at)),
            text(self.duplicate_of),
        ]
    }
}

fn status_zh(s: ReportStatus) -> &'static str {
    let t = crate::i18n::Lang::Zh.texts();
    match s {
        ReportStatus::Received => t.status_received,
        ReportStatus::Accepted => t.status_accepted,
        ReportStatus::InProgress => t.status_in_progress,
        ReportStatus::Resolved => t.status_resolved,
        ReportStatus::Rejected => t.status_rejected,
    }
}

const ROWS_SQL: &str = "SELECT r.id, r.received_at, r.category, c.name_zh AS category_name, r.submitted, r.status,
        r.level, r.deadline, r.updated_at, r.timeline, g.street, g.community, g.name AS grid_name, r.duplicate_of
     FROM reports r LEFT JOIN grids g ON g.id = r.grid_id LEFT JOIN categories c ON c.code = r.category
     WHERE r.received_at >= ?1 AND r.received_at < ?2
       AND (?3 IS NULL OR g.street = ?3) AND (?4 IS NULL OR g.community = ?4)
       AND (?5 IS NULL OR r.grid_id = ?5) AND (?6 IS NULL OR r.category = ?6)
     ORDER BY r.received_at, r.id";

/// Writes the reports of `period` and `filter` to `out` in `format`; the number of reports written. Runs on a
/// blocking thread (it waits for each row from the database and for `out`).
pub fn write_reports(
    db: &Db,
    period: Period,
    filter: &ReportFilter,
    format: ExportFormat,
    out: impl Write + Send,
) -> anyhow::Result<u64> {
    let handle = tokio::runtime::Handle::current();
    let (start, end) = period.bounds();
    let mut rows = db::query_as::<Row>(ROWS_SQL)
        .bind(start)
        .bind(end)
        .bind(&filter.street)
        .bind(&filter.community)
        .bind(&filter.grid)
        .bind(&filter.category)
        .fetch(db);
    // The district-wide workbook also counts the riders' concerns (their stations belong to no 街道 or grid).
    let district_wide = *filter == ReportFilter::default();
    let concerns = match format {
        ExportFormat::Xlsx if district_wide => {
            let now = time::OffsetDateTime::now_utc();
            let by = |by| {
                handle
                    .block_on(crate::server::concerns::figures::concern_figures(
                        db, period, None, by, now,
                    ))
                    .map_err(|e| anyhow::anyhow!("{e:?}"))
            };
            Some([by(ConcernGroupBy::Station)?, by(ConcernGroupBy::Topic)?])
        }
        _ => None,
    };
    let mut next = move || handle.block_on(rows.try_next());
    match format {
        ExportFormat::Csv => write_csv(&mut next, out),
        ExportFormat::Xlsx => write_xlsx(&mut next, period, concerns, out),
    }
}

/// The columns of the concerns' sheet.
const CONCERN_HEADERS: [&str; 12] = [
    "驿站 / 话题",
    "收到",
    "已答复",
    "按时答复",
    "办理中",
    "超时未答复",
    "已办结",
    "已采纳",
    "未采纳",
    "转网格",
    "办结率",
    "满意率",
];

/// The concerns' sheet: per station, then per topic, with their totals.
fn write_concerns(
    book: &mut rust_xlsxwriter::Workbook,
    period: Period,
    [by_station, by_topic]: [ConcernStats; 2],
) -> anyhow::Result<()> {
    use rust_xlsxwriter::Format;
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let sheet = book.add_worksheet();
    sheet.set_name(format!(
        "骑手诉求 {} 至 {}",
        format_date(period.from),
        format_date(period.to)
    ))?;
    sheet.set_column_width(0, 24)?;
    let mut row = 0u32;
    for (title, stats) in [("按驿站", by_station), ("按话题", by_topic)] {
        sheet.write_string_with_format(row, 0, title, &bold)?;
        row += 1;
        for (col, h) in CONCERN_HEADERS.iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, *h, &bold)?;
        }
        let total = ("合计".to_owned(), stats.total);
        for (name, f) in stats
            .rows
            .into_iter()
            .map(|r| (r.name, r.figures))
            .chain([total])
        {
            row += 1;
            sheet.write_string(row, 0, name)?;
            let counts = [
                f.received,
                f.answered,
                f.answered_in_time,
                f.open,
                f.overdue,
                f.resolved,
                f.adopted,
                f.declined,
                f.forwarded_to_grid,
            ];
            for (col, n) in counts.into_iter().enumerate() {
                sheet.write_number(row, col as u16 + 1, n as f64)?;
            }
            for (col, rate) in [(10, f.resolution_rate), (11, f.satisfaction)] {
                if let Some(rate) = rate {
                    sheet.write_number_with_format(row, col, rate, &percent)?;
                }
            }
        }
        row += 2;
    }
    Ok(())
}

type NextRow<'a> = dyn FnMut() -> std::result::Result<Option<Row>, sqlx::Error> + 'a;

fn write_csv(next: &mut NextRow<'_>, out: impl Write) -> anyhow::Result<u64> {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(HEADERS)?;
    let mut n = 0;
    while let Some(row) = next()? {
        let record: Vec<String> = row
            .cells()
            .into_iter()
            .map(|c| match c {
                Cell::Text(s) => s,
                Cell::Number(x) => x.to_string(),
                Cell::Empty => String::new(),
            })
            .collect();
        csv.write_record(&record)?;
        n += 1;
    }
    csv.flush()?;
    Ok(n)
}

fn write_xlsx(
    next: &mut NextRow<'_>,
    period: Period,
    concerns: Option<[ConcernStats; 2]>,
    out: impl Write + Send,
) -> anyhow::Result<u64> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(format!(
        "上报 {} 至 {}",
        format_date(period.from),
        format_date(period.to)
    ))?;
    for (col, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold)?;
    }
    for (col, width) in [
        (0, 38),
        (1, 17),
        (2, 16),
        (4, 40),
        (5, 24),
        (14, 17),
        (15, 17),
        (16, 17),
    ] {
        sheet.set_column_width(col, width)?;
    }
    let mut n = 0u32;
    while let Some(row) = next()? {
        n += 1;
        for (col, cell) in row.cells().into_iter().enumerate() {
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(n, col as u16, s)?;
                }
                Cell::Number(x) => {
                    sheet.write_number(n, col as u16, x)?;
                }
                Cell::Empty => {}
            }
        }
    }
    if let Some(concerns) = concerns {
        write_concerns(&mut book, period, concerns)?;
    }
    book.save_to_writer(std::io::BufWriter::with_capacity(64 * 1024, out))?;
    Ok(u64::from(n))
}

/// Sends what is written to the response body as it comes (in 64 KiB pieces); fails once the client is gone.
struct BodyWriter(tokio::sync::mpsc::Sender<std::io::Result<Bytes>>);

impl Write for BodyWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client left"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The reports a user may export: admins all, an official all or their 街道's; nobody else.
fn scope(user: &User, mut filter: ReportFilter) -> Result<ReportFilter> {
    match user.role {
        Role::Admin => Ok(filter),
        Role::Official => match (&user.street, &filter.street) {
            (None, _) => Ok(filter),
            (Some(own), Some(asked)) if own != asked => Err(Error::Forbidden),
            (Some(own), _) => {
                filter.street = Some(own.clone());
                Ok(filter)
            }
        },
        _ => Err(Error::Forbidden),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportParams {
    /// The first day, `YYYY-MM-DD` (Beijing time).
    #[param(example = "2026-11-01", format = Date)]
    from: String,
    /// The last day, included: not before `from`, at most 3,660 days after it.
    #[param(example = "2026-11-30", format = Date)]
    to: String,
    /// `csv` (the default) or `xlsx`.
    #[serde(default)]
    #[param(inline)]
    format: ExportFormat,
    /// Only this 街道 (an official of one 街道 gets theirs whatever is asked).
    street: Option<String>,
    /// Only this 社区.
    community: Option<String>,
    /// Only this grid.
    grid: Option<String>,
    /// Only this category (its code).
    category: Option<String>,
}

/// The reports received in a period (and optionally of one 街道, 社区, grid or category), oldest first, as a file
/// with Chinese column headers: CSV in UTF-8 with a byte-order mark, or XLSX. Streamed: any number of rows.
/// Officials and admins; an official of one 街道 gets that 街道's.
#[utoipa::path(get, path = "/export/reports", tag = "figures", operation_id = "export_reports", security(("bearer" = [])),
    params(ExportParams),
    responses(
        (status = 200, description = "The file", content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    )
)]
async fn export_reports(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<ExportParams>,
) -> Result<Response> {
    let filter = scope(
        &user,
        ReportFilter {
            street: params.street,
            community: params.community,
            grid: params.grid,
            category: params.category,
        },
    )?;
    let period = crate::server::figures::period_of(&params.from, &params.to)?;
    let format = params.format;
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
    let db = state.db.clone();
    tokio::task::spawn_blocking(move || {
        let body = BodyWriter(tx.clone());
        if let Err(e) = write_reports(&db, period, &filter, format, body) {
            tracing::warn!(error = %e, "report export stopped");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    // Fused: the compression layer may ask again after the end.
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|piece| (piece, rx))
    })
    .fuse();
    let file = format!(
        "reports-{}-{}.{}",
        format_date(period.from),
        format_date(period.to),
        format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

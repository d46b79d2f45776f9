//! The district's reports as a spreadsheet: the right reports for the period (whole days in Beijing time) and the
//! caller's scope, Chinese headers, CSV with a byte-order mark, XLSX read back cell by cell.
use std::io::Cursor;
use suishoupai::server::db;

use calamine::{Reader, Xlsx};
use suishoupai::domain::Role;

use crate::common::{error_code, new_id, report_body, TestServer};

/// Reports at `(lat, lon, received_at)`: their ids, in order.
async fn reports_at(server: &TestServer, places: &[(f64, f64, &str)]) -> Vec<String> {
    let rider = server.enrolled(Role::Rider, "骑手").await.token;
    let mut ids = vec![];
    for (i, (lat, lon, at)) in places.iter().enumerate() {
        let id = new_id();
        let mut body = report_body(&[]);
        body["lat"] = (*lat).into();
        body["lon"] = (*lon).into();
        body["description"] = format!("第 {i} 处：井盖缺失").into();
        assert_eq!(server.put_report(&rider, &id, &body).await.status(), 201);
        db::query("UPDATE reports SET received_at = ? WHERE id = ?")
            .bind(at)
            .bind(&id)
            .execute(&server.db)
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

async fn export(server: &TestServer, token: &str, query: &str) -> reqwest::Response {
    server
        .get_as(token, &format!("/api/v1/export/reports?{query}"))
        .await
}

/// The CSV's rows (the header first), checking the byte-order mark.
async fn csv_rows(res: reqwest::Response) -> Vec<Vec<String>> {
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let bytes = res.bytes().await.unwrap();
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("a byte-order mark, so Excel reads UTF-8");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect::<Vec<_>>()
}

#[tokio::test]
async fn a_period_is_whole_days_in_beijing_time_and_each_row_says_what_became_of_the_report() {
    let server = TestServer::start().await;
    let ids = reports_at(
        &server,
        &[
            (30.86, 104.19, "2026-10-31T15:59:59.999Z"), // 10-31 23:59 in Beijing: October
            (30.86, 104.19, "2026-10-31T16:00:00.000Z"), // 11-01 00:00: the first of November
            (30.90, 104.23, "2026-11-15T04:00:00.000Z"),
            (30.90, 104.27, "2026-11-30T15:59:59.999Z"), // 11-30 23:59: still November
            (30.90, 104.27, "2026-11-30T16:00:00.000Z"), // 12-01 00:00: December
        ],
    )
    .await;
    let admin = server.enrolled(Role::Admin, "管理员").await.token;
    let rows = csv_rows(export(&server, &admin, "from=2026-11-01&to=2026-11-30").await).await;
    let headers = rows[0].clone();
    assert_eq!(
        headers,
        suishoupai::server::exports::HEADERS.map(String::from)
    );
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let listed: Vec<&str> = rows[1..].iter().map(|r| r[col("编号")].as_str()).collect();
    assert_eq!(listed, [&ids[1], &ids[2], &ids[3]].map(String::as_str));
    let first = &rows[1];
    assert_eq!(first[col("上报时间")], "2026-11-01 00:00");
    assert_eq!(first[col("类别")], "井盖缺失或破损");
    assert_eq!(first[col("紧急")], "是");
    assert_eq!(first[col("描述")], "第 1 处：井盖缺失");
    assert_eq!(first[col("街道")], "大弯街道");
    assert_eq!(first[col("社区")], "大弯社区");
    assert_eq!(first[col("网格")], "大弯街道南网格");
    assert_eq!(first[col("状态")], "已收到");
    assert_eq!(first[col("响应级别")], "1");
    assert_eq!(first[col("纬度")], "30.86");

    // Compressed for a client that asks (as browsers do): the stream ends cleanly through the compression layer.
    let gzipped = server
        .client
        .get(server.url("/api/v1/export/reports?from=2026-11-01&to=2026-11-30"))
        .bearer_auth(&admin)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let bytes = gzipped.bytes().await.expect("the whole compressed body");
    assert_eq!(bytes[..2], [0x1f, 0x8b]);

    let one_street = csv_rows(
        export(
            &server,
            &admin,
            "from=2026-11-01&to=2026-11-30&street=大同街道",
        )
        .await,
    )
    .await;
    assert_eq!(
        one_street.len(),
        2,
        "the header and the one report of 大同街道"
    );
    assert_eq!(one_street[1][col("编号")], ids[2]);
    let one_grid = csv_rows(
        export(
            &server,
            &admin,
            "from=2026-10-01&to=2026-12-31&grid=demo-grid-07",
        )
        .await,
    )
    .await;
    assert_eq!(one_grid.len(), 3);
}

#[tokio::test]
async fn officials_read_their_street_and_nobody_else_reads_at_all() {
    let server = TestServer::start().await;
    reports_at(
        &server,
        &[
            (30.86, 104.19, "2026-11-02T02:00:00.000Z"),
            (30.90, 104.23, "2026-11-03T02:00:00.000Z"),
        ],
    )
    .await;
    let period = "from=2026-11-01&to=2026-11-30";
    let district = server.enrolled(Role::Official, "区领导").await.token;
    assert_eq!(
        csv_rows(export(&server, &district, period).await)
            .await
            .len(),
        3
    );

    let street = server.official_of("大同街道").await;
    let me: serde_json::Value = server
        .get_as(&street, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["street"], "大同街道", "{me}");
    let theirs = csv_rows(export(&server, &street, period).await).await;
    assert_eq!(theirs.len(), 2, "only 大同街道's report: {theirs:?}");
    assert_eq!(theirs[1][9], "大同街道");
    let other = export(&server, &street, &format!("{period}&street=大弯街道")).await;
    assert_eq!(other.status(), 403);

    for role in [
        Role::Rider,
        Role::GridWorker,
        Role::StationStaff,
        Role::DepartmentStaff,
    ] {
        let token = server.enrolled(role, "别人").await.token;
        let res = export(&server, &token, period).await;
        assert_eq!(res.status(), 403, "{role}");
        assert_eq!(error_code(res).await, "forbidden");
    }
    let admin = server.enrolled(Role::Admin, "管理员").await.token;
    for bad in [
        "from=2026-11-31&to=2026-12-01",
        "from=2026-12-01&to=2026-11-01",
        "from=yesterday&to=2026-11-01",
    ] {
        let res = export(&server, &admin, bad).await;
        assert_eq!(res.status(), 422, "{bad}");
        assert_eq!(error_code(res).await, "invalid_input");
    }
}

#[tokio::test]
async fn the_xlsx_reads_back_with_chinese_headers_numbers_as_numbers_and_every_row() {
    let server = TestServer::start().await;
    let places: Vec<(f64, f64, String)> = (0..120)
        .map(|i| {
            (
                30.86,
                104.19,
                format!("2026-11-{:02}T02:00:00.000Z", 1 + i % 28),
            )
        })
        .collect();
    let places: Vec<(f64, f64, &str)> = places
        .iter()
        .map(|(a, b, c)| (*a, *b, c.as_str()))
        .collect();
    reports_at(&server, &places).await;
    let admin = server.enrolled(Role::Admin, "管理员").await.token;
    let res = export(&server, &admin, "from=2026-11-01&to=2026-11-30&format=xlsx").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("reports-2026-11-01-2026-11-30.xlsx"));
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("an XLSX file");
    let sheets = book.sheet_names();
    assert_eq!(
        sheets,
        [
            "上报 2026-11-01 至 2026-11-30",
            "骑手诉求 2026-11-01 至 2026-11-30"
        ]
    );
    let range = book.worksheet_range(&sheets[0]).unwrap();
    assert_eq!(range.height(), 121, "the header and 120 reports");
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        header,
        suishoupai::server::exports::HEADERS.map(String::from)
    );
    let row = range.rows().nth(1).unwrap();
    assert_eq!(row[1].to_string(), "2026-11-01 10:00");
    assert_eq!(row[6], calamine::Data::Float(30.86), "latitude as a number");
    assert_eq!(row[13], calamine::Data::Float(1.0), "level as a number");
    assert_eq!(row[12].to_string(), "已收到");
}

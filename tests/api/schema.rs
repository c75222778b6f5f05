//! Both migration sets must describe the same tables and columns.
use crate::helpers::*;
use aftersale::db::Db;
use diesel::prelude::*;
use diesel::sql_types::Text;
use std::collections::BTreeSet;
use std::time::Duration;

#[derive(QueryableByName)]
struct Col {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

#[test]
fn both_backends_have_the_same_tables_views_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(
        &format!("sqlite://{}/parity.db", dir.path().display()),
        1,
        Duration::from_secs(5),
    )
    .unwrap();
    sqlite.migrate().unwrap();
    let sqlite_cols: BTreeSet<(String, String)> = sqlite
        .run(|c| {
            Ok(diesel::sql_query(
                "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p WHERE m.type IN ('table', 'view') \
                 AND m.name NOT LIKE 'sqlite_%' AND m.name != '__diesel_schema_migrations'",
            )
            .load::<Col>(c)?)
        })
        .unwrap()
        .into_iter()
        .map(|c| (c.table_name, c.column_name))
        .collect();

    let base = pg_url_for_parity();
    let (url, schema) = fresh_pg_schema(&base);
    let pg = Db::connect(&url, 1, Duration::from_secs(5)).unwrap();
    pg.migrate().unwrap();
    let sql = format!(
        "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns \
         WHERE table_schema = '{schema}' AND table_name != '__diesel_schema_migrations'"
    );
    let pg_cols: BTreeSet<(String, String)> = pg
        .run(|c| Ok(diesel::sql_query(sql).load::<Col>(c)?))
        .unwrap()
        .into_iter()
        .map(|c| (c.table_name, c.column_name))
        .collect();
    drop(pg);
    drop_pg_schema(&base, &schema);

    assert!(sqlite_cols.len() > 30, "{sqlite_cols:?}");
    let only_sqlite: Vec<_> = sqlite_cols.difference(&pg_cols).collect();
    let only_pg: Vec<_> = pg_cols.difference(&sqlite_cols).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "only in sqlite: {only_sqlite:?}; only in postgres: {only_pg:?}"
    );

    let pg_names: BTreeSet<_> = std::fs::read_dir("migrations/postgres")
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let sqlite_names: BTreeSet<_> = std::fs::read_dir("migrations/sqlite")
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        pg_names, sqlite_names,
        "migration folders have the same names"
    );
}

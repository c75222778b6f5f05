//! A webhook receiver for the benchmark: answers 204 at once and counts what it got (printed
//! on `GET /count`). Built with the service's own actix-web, so it costs no new dependency.
//! Usage: webhook_sink PORT
use actix_web::{web, App, HttpResponse, HttpServer};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(18282);
    let count = Arc::new(AtomicU64::new(0));
    HttpServer::new(move || {
        let count = count.clone();
        App::new()
            .route(
                "/count",
                web::get().to({
                    let count = count.clone();
                    move || {
                        let n = count.load(Ordering::Relaxed);
                        async move { HttpResponse::Ok().body(n.to_string()) }
                    }
                }),
            )
            .default_service(web::to(move |_body: web::Bytes| {
                count.fetch_add(1, Ordering::Relaxed);
                async { HttpResponse::NoContent().finish() }
            }))
    })
    .workers(1)
    .bind(("127.0.0.1", port))?
    .run()
    .await
}

//! The example server: a few routes behind the CORS fairing, configured by the
//! `[default.cors]` table of the checked-in `Rocket.toml`.
//!
//! ```sh
//! cargo run --example server
//! curl -i -X OPTIONS http://127.0.0.1:8000/api/items \
//!      -H 'Origin: http://localhost:3000' -H 'Access-Control-Request-Method: PUT'
//! ```

use rocket::http::Status;
use rocket::{delete, get, launch, put, routes};

#[get("/")]
fn index() -> &'static str {
    "cors-fairing example server\n"
}

#[get("/api/items")]
fn list_items() -> &'static str {
    "[\"apple\",\"pear\"]"
}

#[put("/api/items", data = "<items>")]
fn put_items(items: &str) -> String {
    format!("stored {} bytes\n", items.len())
}

#[delete("/api/items/<id>")]
fn delete_item(id: u32) -> String {
    format!("deleted {id}\n")
}

#[get("/api/fail")]
fn fail() -> Status {
    Status::InternalServerError
}

#[get("/api/status")]
fn status(cors: &rocket::State<cors_fairing::CorsHandle>) -> String {
    format!("{:?}\n", *cors.status().borrow())
}

#[launch]
fn rocket() -> _ {
    rocket::build()
        .mount("/", routes![index, list_items, put_items, delete_item, fail, status])
        .attach(cors_fairing::CorsFairing::figment())
}

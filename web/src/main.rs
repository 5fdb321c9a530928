//! The app: everything is in the library; this starts it in the page.

fn main() {
    ukemi_web::run_app();
}

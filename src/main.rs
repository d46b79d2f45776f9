//! On wasm32: mount the PWA. Natively: run the server's command line.

#[cfg(target_arch = "wasm32")]
fn main() {
    suishoupai::app::mount();
}

#[cfg(not(target_arch = "wasm32"))]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    suishoupai::server::cli::main().await
}

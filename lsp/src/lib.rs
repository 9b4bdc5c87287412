//! The ecrlint language server as a library: the protocol (tower-lsp-server), documents kept in
//! sync with the editor, checks run off the message loop, settings from the editor and
//! `ecrlint.toml`, a Terraform module's files read from disk. The answers themselves —
//! diagnostics with their fixes, code actions, hover — come from `ecrlint_ide`, which the wasm
//! package serves too. `ecrlint server` runs [`run_stdio`].

mod config;
mod document;
pub mod guard;
pub mod module;
mod server;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{ClientSocket, LspService, Server};

pub use server::{Backend, CheckFn, Core, FixFn};

/// Serves LSP over stdin/stdout until the client exits. Returns the process exit code the
/// specification asks for: 0, or 1 when the client sent `exit` without `shutdown` first.
pub fn run_stdio() -> std::io::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(guard::serve(tokio::io::stdin(), tokio::io::stdout()));
    // The client is gone: a check still running on the blocking pool has no one to report to.
    runtime.shutdown_background();
    Ok(outcome.exit_code())
}

/// Serves LSP over any byte streams (stdio, a socket, an in-memory pipe in tests).
pub async fn serve<I, O>(input: I, output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let (service, socket) = service(Core::ECRLINT);
    Server::new(input, output, socket).serve(service).await;
}

/// The server as a tower service, over the core functions it calls.
pub fn service(core: Core) -> (LspService<Backend>, ClientSocket) {
    LspService::new(move |client| Backend::new(client, core))
}

//! Stopping on Ctrl-C or SIGTERM: what a terminal, `docker stop` and Kubernetes send.

/// A future that completes on the first Ctrl-C or SIGTERM. The handlers are installed by this
/// call, not when the future is first polled, so a signal sent as soon as a server says it is
/// ready already stops it gracefully rather than killing the process. Needs a Tokio runtime.
pub fn signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

//! The live page's HTTP server: loopback only, GET only.
//!
//! `GET /` is the page ([`page::render`] of the current state); `GET /events` is a server-sent
//! event stream that sends the state's version on connect and whenever it changes (the page reloads
//! when it differs from the one it shows), with a comment every few seconds to keep it open. Any
//! other method is answered 405, any other path 404. [`bind`] refuses an address that is not
//! loopback: the page shows file contents and must not be reachable from other machines.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, Server};

use super::page::{self, PageState};

/// How often an idle event stream sends a keep-alive comment (and notices the end of `watch`).
const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// The page state shared by the watch loop and the server's threads.
#[derive(Debug, Default)]
pub struct Shared {
    state: Mutex<SharedState>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct SharedState {
    page: PageState,
    closing: bool,
}

impl Shared {
    /// Changes the page state, bumps its version and wakes the event streams.
    pub fn update(&self, change: impl FnOnce(&mut PageState)) {
        let mut state = self.lock();
        change(&mut state.page);
        state.page.version += 1;
        drop(state);
        self.changed.notify_all();
    }

    /// Ends the event streams (at the end of `watch`).
    pub fn close(&self) {
        self.lock().closing = true;
        self.changed.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, SharedState> {
        // A thread that panicked while holding the lock cannot leave the state half-changed
        // (every change is one assignment), so the state is still good to read.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// The address is not a loopback address.
    #[error("`watch` serves on loopback only (127.0.0.0/8 or ::1), not on {0}")]
    NotLoopback(IpAddr),
    /// The port is taken or not allowed.
    #[error("cannot listen on {address}: {reason}")]
    Listen {
        /// The address asked for.
        address: SocketAddr,
        /// What the system said.
        reason: String,
    },
}

/// A running server; [`Running::stop`] ends it.
pub struct Running {
    server: Arc<Server>,
    shared: Arc<Shared>,
    thread: thread::JoinHandle<()>,
    /// The address it listens on (the real port when 0 was asked for).
    pub address: SocketAddr,
}

/// Binds `address` (loopback only) and serves `shared`'s page from a background thread.
pub fn bind(address: SocketAddr, shared: Arc<Shared>) -> Result<Running, BindError> {
    if !address.ip().is_loopback() {
        return Err(BindError::NotLoopback(address.ip()));
    }
    let listen = |reason: String| BindError::Listen { address, reason };
    let server = Server::http(address).map_err(|e| listen(e.to_string()))?;
    let address = server.server_addr().to_ip().ok_or_else(|| listen("not an IP address".into()))?;
    if !address.ip().is_loopback() {
        return Err(BindError::NotLoopback(address.ip()));
    }
    let server = Arc::new(server);
    let thread = {
        let (server, shared) = (Arc::clone(&server), Arc::clone(&shared));
        thread::spawn(move || {
            for request in server.incoming_requests() {
                handle(request, &shared);
            }
        })
    };
    Ok(Running { server, shared, thread, address })
}

impl Running {
    /// Stops accepting requests, ends the event streams and waits for the server thread.
    pub fn stop(self) {
        self.shared.close();
        self.server.unblock();
        let _ = self.thread.join();
    }
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn handle(request: Request, shared: &Arc<Shared>) {
    if *request.method() != Method::Get {
        let mut response = Response::from_string("405 Method Not Allowed: this server answers only GET\n")
            .with_status_code(405);
        if let Some(allow) = header("Allow", "GET") {
            response = response.with_header(allow);
        }
        let _ = request.respond(response);
        return;
    }
    let path = request.url().split(['?', '#']).next().unwrap_or("").to_string();
    match path.as_str() {
        "/" | "/index.html" | "/report.html" => {
            let page = page::render(&shared.lock().page);
            let mut response = Response::from_string(page);
            for (name, value) in [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")]
            {
                if let Some(h) = header(name, value) {
                    response = response.with_header(h);
                }
            }
            let _ = request.respond(response);
        }
        "/events" => {
            let shared = Arc::clone(shared);
            thread::spawn(move || stream_events(request, &shared));
        }
        _ => {
            let _ = request.respond(Response::from_string("404 Not Found\n").with_status_code(404));
        }
    }
}

/// Writes the server-sent event stream until the client leaves or `watch` ends.
fn stream_events(request: Request, shared: &Shared) {
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                Connection: close\r\n\r\nretry: 500\n\n";
    if writer.write_all(head.as_bytes()).is_err() {
        return;
    }
    let mut sent = None;
    loop {
        let message = {
            let mut state = shared.lock();
            if sent == Some(state.page.version) && !state.closing {
                state = match shared.changed.wait_timeout(state, KEEP_ALIVE) {
                    Ok((state, _)) => state,
                    Err(poisoned) => poisoned.into_inner().0,
                };
            }
            if state.closing {
                return;
            }
            let version = state.page.version;
            if sent == Some(version) {
                ": keep-alive\n\n".to_string()
            } else {
                sent = Some(version);
                format!("data: {version}\n\n")
            }
        };
        if writer.write_all(message.as_bytes()).and_then(|()| writer.flush()).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_addresses_are_served() {
        let shared = Arc::new(Shared::default());
        for address in ["0.0.0.0:0", "192.168.1.10:0", "[::]:0"] {
            let address: SocketAddr = address.parse().unwrap();
            assert!(
                matches!(bind(address, Arc::clone(&shared)), Err(BindError::NotLoopback(_))),
                "{address}"
            );
        }
        let running = bind("127.0.0.1:0".parse().unwrap(), shared).unwrap();
        assert!(running.address.ip().is_loopback() && running.address.port() != 0);
        running.stop();
    }
}

//! `crossroads watch` at process level: the real binary on a temporary copy of the default
//! scenario, a free port on 127.0.0.1, the page fetched over HTTP while the file is edited, broken
//! and fixed, and Ctrl-C at the end.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

const DEFAULT: &str = include_str!("../scenarios/south_caucasus_2024.toml");

/// Longest wait for one rerun: generous, as the test machine may be loaded; the measured times are
/// printed (run with --nocapture to see them).
const PATIENCE: Duration = Duration::from_secs(120);

/// A `watch` process whose stdout and stderr lines arrive on channels.
struct Watch {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    address: SocketAddr,
}

impl Watch {
    fn start(folder: &Path, args: &[&str]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crossroads"))
            .arg("watch")
            .args(args)
            .current_dir(folder)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stdout = lines(child.stdout.take().unwrap());
        let stderr = lines(child.stderr.take().unwrap());
        let first = stdout.recv_timeout(PATIENCE).expect("watch prints where it serves");
        let address = first
            .strip_prefix("Serving http://")
            .and_then(|rest| rest.split('/').next())
            .and_then(|address| address.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {first}"));
        Watch { child, stdout, stderr, address }
    }

    /// The next stdout line containing `needle`.
    fn wait_for_line(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stdout.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no line with `{needle}` within {PATIENCE:?}");
    }

    fn get(&self, method: &str, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(self.address).unwrap();
        // HTTP/1.0: the whole body in one piece, without chunked encoding.
        write!(stream, "{method} {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        let response = String::from_utf8(bytes).expect("the response is UTF-8");
        let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }

    /// Fetches the page until `ready` accepts it; returns it and how long that took.
    fn page_when(&self, ready: impl Fn(&str) -> bool) -> (String, Duration) {
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            let (status, page) = self.get("GET", "/");
            assert_eq!(status, 200);
            if ready(&page) {
                return (page, started.elapsed());
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!("the page did not reach the expected state within {PATIENCE:?}");
    }

    fn interrupt(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < PATIENCE, "watch did not end on Ctrl-C");
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// The outcome table of a report page: the numbers that must change when a driver does.
fn outcomes(page: &str) -> String {
    let start = page.find("id=\"outcomes\"").expect("the page has its outcome table");
    let end = page[start..].find("</table>").map_or(page.len(), |end| start + end);
    page[start..end].to_string()
}

fn has_result(page: &str) -> bool {
    page.contains("id=\"outcomes\"") && page.contains("class=\"cw-fresh\"")
}

#[test]
fn watch_reruns_on_save_shows_mistakes_and_stops_on_ctrl_c() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("scenario.toml");
    std::fs::write(&file, DEFAULT).unwrap();
    let watch =
        Watch::start(folder.path(), &["scenario.toml", "--port", "0", "--runs", "300", "--out", "out"]);
    assert!(watch.address.ip().is_loopback(), "{}", watch.address);
    let first_run = watch.wait_for_line("300 runs in");
    println!("first run: {first_run}");
    let (before, _) = watch.page_when(has_result);
    assert!(before.contains("new EventSource(\"/events\")"), "the served page reloads itself");

    // A driver's value changes: the page's numbers change.
    let weights = "categorical = { frozen = 0.45, settlement = 0.35, gains = 0.12, collapse = 0.08 }";
    assert!(DEFAULT.contains(weights));
    let edited = DEFAULT.replace(
        weights,
        "categorical = { frozen = 0.05, settlement = 0.35, gains = 0.12, collapse = 0.48 }",
    );
    std::fs::write(&file, &edited).unwrap();
    let (after, took) = watch.page_when(|page| has_result(page) && outcomes(page) != outcomes(&before));
    println!(
        "edit → new numbers in the page: {:.2} s ({})",
        took.as_secs_f64(),
        watch.wait_for_line("runs in")
    );

    // A mistake: the diagnostic in the page, above the last good numbers marked stale.
    let broken = edited.replacen("\nprobability = 0.006", "\nprobabilty = 0.006", 1);
    assert_ne!(broken, edited);
    std::fs::write(&file, &broken).unwrap();
    let (page, took) = watch.page_when(|page| page.contains("class=\"cw-diagnostic\""));
    println!("broken file → diagnostic in the page: {:.2} s", took.as_secs_f64());
    let line = broken.lines().position(|l| l.starts_with("probabilty")).unwrap() + 1;
    assert!(page.contains(&format!("scenario.toml:{line}:1")), "file:line:col in the page:\n{page}");
    assert!(page.contains("did you mean `probability`?"), "the hint in the page");
    assert!(page.contains("Stale:"), "the last good result is marked stale");
    assert_eq!(outcomes(&page), outcomes(&after), "the last good numbers stay under the diagnostic");
    let deadline = Instant::now() + PATIENCE;
    let mut terminal = String::new();
    while !terminal.contains("did you mean `probability`?") && Instant::now() < deadline {
        terminal.push_str(&watch.stderr.recv_timeout(PATIENCE).unwrap_or_default());
        terminal.push('\n');
    }
    assert!(
        terminal.contains(&format!("scenario.toml:{line}:1")),
        "the diagnostic in the terminal:\n{terminal}"
    );

    // Fixed: fresh numbers, no diagnostic.
    let fixed = DEFAULT.replace(
        weights,
        "categorical = { frozen = 0.15, settlement = 0.35, gains = 0.12, collapse = 0.38 }",
    );
    std::fs::write(&file, &fixed).unwrap();
    let (fresh, took) = watch.page_when(|page| has_result(page) && !page.contains("class=\"cw-diagnostic\""));
    println!("fixed file → fresh numbers in the page: {:.2} s", took.as_secs_f64());
    assert_ne!(outcomes(&fresh), outcomes(&after));
    assert!(!fresh.contains("Stale:"));

    // Only GET.
    for method in ["POST", "PUT", "DELETE", "HEAD"] {
        assert_eq!(watch.get(method, "/").0, 405, "{method}");
    }
    assert_eq!(watch.get("GET", "/../scenario.toml").0, 404);

    // Ctrl-C: a clean end, the last result in the output folder, the script only in the served page.
    let status = watch.interrupt();
    assert!(status.success(), "{status:?}");
    let report = std::fs::read_to_string(folder.path().join("out/report.html")).unwrap();
    assert_eq!(outcomes(&report), outcomes(&fresh));
    assert!(!report.contains("EventSource") && !report.contains("crossroads-watch"));
    let leftovers: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn watch_serves_on_loopback_only() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("scenario.toml"), DEFAULT).unwrap();
    for address in ["0.0.0.0", "192.168.1.10", "::"] {
        let output = Command::new(env!("CARGO_BIN_EXE_crossroads"))
            .args(["watch", "scenario.toml", "--port", "0", "--bind", address])
            .current_dir(folder.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{address}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("loopback only"), "{stderr}");
    }
    assert!(!folder.path().join("output").exists(), "nothing is run when the address is refused");
}

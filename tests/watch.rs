//! `crossroads watch` at process level: the real binary on a temporary copy of the default
//! scenario, a free port on 127.0.0.1, the page fetched over HTTP while the file is edited, broken
//! and fixed, and Ctrl-C at the end; then the same in headless Chromium, one page kept open while
//! it reloads itself; then the first look and its final numbers against `run`.
//!
//! The tests take [`SERIAL`] so that each measures its timings on a machine not also running
//! another `watch` of this file; run with `--nocapture` to see the timings they print.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "in a test, a panic is a failed test"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

const DEFAULT: &str = include_str!("../scenarios/south_caucasus_2024.toml");

/// Longest wait for one rerun: generous, as the test machine may be loaded; the measured times are
/// printed (run with --nocapture to see them).
const PATIENCE: Duration = Duration::from_secs(120);

/// One test at a time: their timings are then of one `watch` on the machine.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A `watch` process whose stdout and stderr lines arrive on channels.
struct Watch {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    address: SocketAddr,
}

impl Watch {
    fn start(folder: &Path, args: &[&str]) -> Watch {
        Watch::start_with(folder, args, &[])
    }

    /// [`Watch::start`] with environment variables set.
    fn start_with(folder: &Path, args: &[&str], env: &[(&str, &str)]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crossroads"))
            .arg("watch")
            .args(args)
            .envs(env.iter().copied())
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
    let _serial = serial();
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

/// How long one DevTools command may take to answer.
const COMMAND_PATIENCE: Duration = Duration::from_secs(30);

/// Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: it
/// reads commands from its fd 3 and writes replies and events to its fd 4, each a JSON message
/// ended by a NUL). `sh` puts the test's two pipes on fds 3 and 4, so the test needs no WebSocket
/// client, no port to discover and no `unsafe`. Chromium runs in a process group of its own, which
/// [`Drop`] kills whole (browser, renderers, zygotes), failed test or not.
struct Chromium {
    child: Child,
    commands: ChildStdin,
    replies: Receiver<serde_json::Value>,
    next_id: u64,
    /// The profile folder (`--user-data-dir`), removed after Chromium is killed.
    _profile: tempfile::TempDir,
}

/// What the open page shows, read by a script in it.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
struct Shown {
    /// The text of the watch banner (status, diagnostic, stale note).
    banner: String,
    /// The text of the report's outcome section (its table of numbers).
    outcomes: String,
    /// `performance.timeOrigin`: a new value means the page has reloaded.
    loaded: f64,
}

impl Chromium {
    /// Starts Chromium, or returns `None` when it is not installed. On CI (`CI=true`) a missing
    /// Chromium fails the test: .ci/run installs it.
    fn start() -> Option<Chromium> {
        let installed = Command::new("chromium")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !installed {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "chromium is not installed: on CI the browser test must run (.ci/run installs it with \
                 apt-get install chromium)"
            );
            println!(
                "SKIPPED: the headless-Chromium test of `watch` needs `chromium` on PATH \
                 (apt-get install chromium); with CI=true it fails instead"
            );
            return None;
        }
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new("sh")
            .args(["-c", "exec \"$@\" 3<&0 4>&1 </dev/null >/dev/null", "sh", "chromium"])
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe"])
            .args(["--no-first-run", "--no-default-browser-check", "--window-size=1400,900"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts");
        let commands = child.stdin.take().unwrap();
        let mut replies_in = BufReader::new(child.stdout.take().unwrap());
        let (sender, replies) = mpsc::channel();
        thread::spawn(move || {
            let mut message = Vec::new();
            while replies_in.read_until(0, &mut message).is_ok_and(|read| read > 0) {
                if message.last() == Some(&0) {
                    message.pop();
                }
                if let Ok(value) = serde_json::from_slice(&message)
                    && sender.send(value).is_err()
                {
                    break;
                }
                message.clear();
            }
        });
        Some(Chromium { child, commands, replies, next_id: 0, _profile: profile })
    }

    /// Sends `method` (to the page of `session`, or to the browser) and waits for its reply.
    fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = serde_json::json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = session.into();
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.commands
            .write_all(&bytes)
            .and_then(|()| self.commands.flush())
            .map_err(|e| format!("cannot send {method} to chromium: {e}"))?;
        let deadline = Instant::now() + COMMAND_PATIENCE;
        loop {
            let left = deadline.checked_duration_since(Instant::now()).unwrap_or_default();
            let reply = self
                .replies
                .recv_timeout(left)
                .map_err(|_| format!("chromium did not answer {method} within {COMMAND_PATIENCE:?}"))?;
            if reply["id"] == id {
                return match reply.get("error") {
                    Some(error) => Err(format!("{method}: {error}")),
                    None => Ok(reply["result"].clone()),
                };
            }
        }
    }

    /// Opens `url` in a new tab; returns the session to talk to its page.
    fn open(&mut self, url: &str) -> String {
        let target = self.call(None, "Target.createTarget", serde_json::json!({ "url": url })).unwrap();
        let target = target["targetId"].as_str().expect("a target id").to_string();
        let attached = self
            .call(None, "Target.attachToTarget", serde_json::json!({ "targetId": target, "flatten": true }))
            .unwrap();
        attached["sessionId"].as_str().expect("a session id").to_string()
    }

    /// What the page shows now; `None` while it is (re)loading.
    fn shown(&mut self, session: &str) -> Option<Shown> {
        // Only a page loaded whole: a 1 MB report read while it is still arriving shows part of
        // its table, which would pass for new numbers.
        let expression = "(() => { if (document.readyState !== 'complete') return null; \
                          const text = id => { const e = document.getElementById(id); \
                          return e ? e.innerText : ''; }; return JSON.stringify({ banner: \
                          text('crossroads-watch'), outcomes: text('outcomes'), loaded: \
                          performance.timeOrigin }); })()";
        let params = serde_json::json!({ "expression": expression, "returnByValue": true });
        let result = self.call(Some(session), "Runtime.evaluate", params).ok()?;
        let json = result["result"]["value"].as_str()?;
        serde_json::from_str(json).ok()
    }

    /// Reads the page every 25 ms until `ready` accepts what it shows; returns that and how long
    /// it took, and counts the reloads seen on the way into `reloads`.
    fn wait_for(
        &mut self,
        session: &str,
        reloads: &mut Vec<f64>,
        what: &str,
        ready: impl Fn(&Shown) -> bool,
    ) -> (Shown, Duration) {
        let started = Instant::now();
        let mut last = None;
        while started.elapsed() < PATIENCE {
            if let Some(shown) = self.shown(session) {
                if reloads.last() != Some(&shown.loaded) {
                    reloads.push(shown.loaded);
                }
                if ready(&shown) {
                    return (shown, started.elapsed());
                }
                last = Some(shown);
            }
            thread::sleep(Duration::from_millis(25));
        }
        panic!("the page in Chromium did not show {what} within {PATIENCE:?}; it last showed {last:#?}");
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // The whole process group: the browser and every process it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_in_headless_chromium_reloads_the_open_page_on_save_mistake_and_fix() {
    let _serial = serial();
    let Some(mut chromium) = Chromium::start() else { return };
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("scenario.toml");
    std::fs::write(&file, DEFAULT).unwrap();
    let watch =
        Watch::start(folder.path(), &["scenario.toml", "--port", "0", "--runs", "300", "--out", "out"]);
    watch.wait_for_line("300 runs in");
    let session = chromium.open(&format!("http://{}/", watch.address));
    let mut reloads = Vec::new();
    let fresh = |shown: &Shown| shown.banner.starts_with("Live:") && !shown.outcomes.is_empty();
    let (before, _) = chromium.wait_for(&session, &mut reloads, "the first result", fresh);
    let opened = before.loaded;

    // A driver's value changes: the open page shows new numbers, first the first look's, then all.
    let weights = "categorical = { frozen = 0.45, settlement = 0.35, gains = 0.12, collapse = 0.08 }";
    let edited = DEFAULT.replace(
        weights,
        "categorical = { frozen = 0.05, settlement = 0.35, gains = 0.12, collapse = 0.48 }",
    );
    assert_ne!(edited, DEFAULT);
    std::fs::write(&file, &edited).unwrap();
    let changed = |shown: &Shown| shown.outcomes != before.outcomes;
    let (_, edit_first) = chromium.wait_for(&session, &mut reloads, "new numbers", changed);
    let (after, edit_full) = chromium
        .wait_for(&session, &mut reloads, "the full new result", |shown| fresh(shown) && changed(shown));

    // A mistake: the diagnostic (file:line:col, the line underlined, the hint) above the last good
    // numbers, marked stale.
    let broken = edited.replacen("\nprobability = 0.006", "\nprobabilty = 0.006", 1);
    assert_ne!(broken, edited);
    let line = broken.lines().position(|l| l.starts_with("probabilty")).unwrap() + 1;
    std::fs::write(&file, &broken).unwrap();
    let (page, mistake) = chromium.wait_for(&session, &mut reloads, "the diagnostic", |shown| {
        shown.banner.contains("The file has a mistake")
    });
    for part in [
        &format!("scenario.toml:{line}:1")[..],
        &format!("{line} │ probabilty = 0.006"),
        "╰── unknown key",
        "help: did you mean `probability`?",
        "Stale:",
    ] {
        assert!(page.banner.contains(part), "`{part}` in the page's banner:\n{}", page.banner);
    }
    assert_eq!(page.outcomes, after.outcomes, "the last good numbers stay under the diagnostic");

    // Fixed: fresh numbers, the diagnostic gone.
    let fixed = DEFAULT.replace(
        weights,
        "categorical = { frozen = 0.15, settlement = 0.35, gains = 0.12, collapse = 0.38 }",
    );
    std::fs::write(&file, &fixed).unwrap();
    let (last, fix) = chromium.wait_for(&session, &mut reloads, "fresh numbers after the fix", |shown| {
        fresh(shown) && shown.outcomes != after.outcomes
    });
    assert!(!last.banner.contains("mistake") && !last.banner.contains("Stale"), "{}", last.banner);
    assert_ne!(last.loaded, opened, "the open page reloaded itself");

    println!(
        "headless Chromium, watch --runs 300 (first look at 128 runs), one page open throughout \
         ({} page loads seen, none asked for by the test):\n  \
         save → first new numbers in the page {:.2} s, → all 300 runs' numbers {:.2} s\n  \
         broken save → diagnostic in the page {:.2} s\n  \
         fixed save → fresh numbers in the page {:.2} s",
        reloads.len(),
        edit_first.as_secs_f64(),
        (edit_first + edit_full).as_secs_f64(),
        mistake.as_secs_f64(),
        fix.as_secs_f64()
    );
}

/// Every file under `folder` (relative path → bytes).
fn files_under(folder: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let name = path.strip_prefix(folder).unwrap().display().to_string();
                files.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Runs `run FILE --runs RUNS` (reproducible) into `ran/` beside `watched` (watch's output folder,
/// in `folder`) and asserts the two folders hold the same files, byte for byte; returns them.
fn same_as_run(
    folder: &Path,
    file: &str,
    runs: &str,
    watched: &str,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    let run = Command::new(env!("CARGO_BIN_EXE_crossroads"))
        .args(["run", file, "--runs", runs, "--quiet", "--out", "ran"])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .current_dir(folder)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let (watched, ran) = (files_under(&folder.join(watched)), files_under(&folder.join("ran")));
    assert_eq!(watched.keys().collect::<Vec<_>>(), ran.keys().collect::<Vec<_>>(), "the same files");
    for (name, bytes) in &watched {
        assert!(*bytes == ran[name], "{name} differs between watch and run --runs {runs}");
    }
    watched
}

/// A scenario with `[evidence]`: watch weighs the runs as `run` does (summary.json's evidence,
/// report.html's posterior tables), so the folders are the same.
#[test]
fn watch_writes_the_folder_run_writes_also_with_evidence() {
    let _serial = serial();
    let folder = tempfile::tempdir().unwrap();
    let scenario = include_str!("data/evidence_conjugate.toml");
    assert!(scenario.contains("[evidence."));
    std::fs::write(folder.path().join("evidence.toml"), scenario).unwrap();
    let reproducible = [("SOURCE_DATE_EPOCH", "1700000000")];
    let watch = Watch::start_with(
        folder.path(),
        &["evidence.toml", "--port", "0", "--runs", "2000", "--out", "out"],
        &reproducible,
    );
    watch.wait_for_line("2000 runs in");
    assert!(watch.interrupt().success());
    let watched = same_as_run(folder.path(), "evidence.toml", "2000", "out");
    let summary = String::from_utf8(watched["summary.json"].clone()).unwrap();
    assert!(summary.contains("\"evidence\""), "{summary}");
}

#[test]
fn watch_shows_a_first_look_then_the_folder_run_writes_with_the_same_seed() {
    let _serial = serial();
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("scenario.toml"), DEFAULT).unwrap();
    // Reproducible mode: report.html leaves out the wall time, so the folders can be compared whole.
    let reproducible = [("SOURCE_DATE_EPOCH", "1700000000")];
    let started = Instant::now();
    // watch's default runs (1000), the first look at the first 128.
    let watch =
        Watch::start_with(folder.path(), &["scenario.toml", "--port", "0", "--out", "out"], &reproducible);
    let mut first_look = None;
    let (full, full_at) = loop {
        assert!(started.elapsed() < PATIENCE, "no full result within {PATIENCE:?}");
        let (status, page) = watch.get("GET", "/");
        assert_eq!(status, 200);
        if first_look.is_none() && page.contains("class=\"cw-first-look\"") {
            first_look = Some((page, started.elapsed()));
        } else if has_result(&page) {
            break (page, started.elapsed());
        }
        thread::sleep(Duration::from_millis(10));
    };
    let (look, look_at) = first_look.expect("the page showed the first look before the full result");
    assert!(look.contains("refining to all 1000 runs"), "the banner says what it refines to");
    assert!(look.contains("Share of 128 runs, with 95% Wilson intervals"), "the first look is 128 runs");
    assert!(full.contains("Share of 1,000 runs, with 95% Wilson intervals"));
    assert!(!full.contains("class=\"cw-first-look\""), "the banner is gone once all runs are in");
    assert_ne!(outcomes(&look), outcomes(&full), "the numbers are refined in place");
    let look_line = watch.wait_for_line("first look: 128 runs of 1000");
    let full_line = watch.wait_for_line("1000 runs in");
    assert!(watch.interrupt().success());

    let watched = same_as_run(folder.path(), "scenario.toml", "1000", "out");
    assert!(watched.contains_key("report.html") && watched.contains_key("runs.csv"));
    let mut left: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["out", "ran", "scenario.toml"], "the first look leaves nothing behind");
    println!(
        "watch (default 1000 runs) from process start: first look (128 runs) in the page at {:.2} s, \
         all 1000 runs at {:.2} s; {} files byte-identical to run --runs 1000 (same seed)\n  {look_line}\n  {full_line}",
        look_at.as_secs_f64(),
        full_at.as_secs_f64(),
        watched.len()
    );
}

/// `watch` brought no system library (notify, tiny_http and ctrlc are Rust over the C library's
/// calls): the binary needs only what every Rust program on glibc needs, as before.
#[test]
fn the_binary_needs_only_the_c_runtime() {
    let output = Command::new("ldd").arg(env!("CARGO_BIN_EXE_crossroads")).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let listing = String::from_utf8(output.stdout).unwrap();
    let libraries: Vec<&str> = listing.lines().filter_map(|line| line.split_whitespace().next()).collect();
    // The vDSO, libgcc_s (unwinding), libm, libc and the dynamic loader, whatever the architecture.
    let runtime = |library: &&str| {
        let name = library.rsplit('/').next().unwrap_or(library);
        ["linux-vdso.so.", "libgcc_s.so.", "libm.so.", "libc.so.", "ld-linux"]
            .iter()
            .any(|p| name.starts_with(p))
    };
    let other: Vec<_> = libraries.iter().filter(|library| !runtime(library)).collect();
    assert!(other.is_empty(), "libraries beyond the C runtime: {other:?}\n{listing}");
    assert!(libraries.contains(&"libc.so.6"), "{listing}");
}

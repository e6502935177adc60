//! `crossroads check` on every shipped example: exit 0 and the register, snapshotted.

use assert_cmd::Command;

fn check_ok(file: &str) -> String {
    let output = Command::cargo_bin("crossroads")
        .expect("the crossroads binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", file])
        .output()
        .expect("crossroads runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{file}: {stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn small_complete_example_checks() {
    let stdout = check_ok("scenarios/examples/small_complete.toml");
    insta::assert_snapshot!("small_complete", stdout);
}

#[test]
fn ec_car_emissions_example_checks() {
    let stdout = check_ok("scenarios/examples/ec_car_emissions.toml");
    assert!(stdout.contains("bdm every month, scale 4–10, 10 stakes"), "{stdout}");
    insta::assert_snapshot!("ec_car_emissions", stdout);
}

#[test]
fn every_shipped_scenario_checks() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("scenarios/ is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    for file in files {
        check_ok(file.to_str().expect("utf-8 path"));
    }
}

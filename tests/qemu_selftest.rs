//! Runs scripts/qemu-user-selftest.sh (the syscall layer's self-test on
//! every architecture that builds, under qemu-user) when its tools are
//! here; says "skipped" with the reason otherwise.

use std::path::Path;
use std::process::Command;

fn missing_tool() -> Option<String> {
    let nightly = Command::new("rustc")
        .args(["+nightly", "--print", "sysroot"])
        .output();
    match nightly {
        Ok(o) if o.status.success() => {
            let root = String::from_utf8_lossy(&o.stdout).trim().to_string();
            if !Path::new(&root)
                .join("lib/rustlib/src/rust/library/core")
                .is_dir()
            {
                return Some("the nightly toolchain has no rust-src".into());
            }
        }
        _ => return Some("no nightly toolchain".into()),
    }
    let qemu = Command::new("sh")
        .args(["-c", "command -v qemu-aarch64-static"])
        .output();
    if !matches!(qemu, Ok(o) if o.status.success()) {
        return Some("qemu-aarch64-static is not installed".into());
    }
    None
}

#[test]
fn syscall_layer_under_qemu_user() {
    if let Some(why) = missing_tool() {
        eprintln!("skipped: {why}");
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("bash")
        .arg(Path::new(root).join("scripts/qemu-user-selftest.sh"))
        .current_dir(root)
        .output()
        .expect("run the self-test script");
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{text}");
    assert!(
        out.status.success(),
        "self-test failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.lines().any(|l| l.starts_with("PASS aarch64")),
        "{text}"
    );
}

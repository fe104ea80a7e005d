//! `seccomp-bpf exec`, `exec --report` and `learn`, run as a user would.
//!
//! The programs run under the profiles are this test binary itself in
//! probe mode (`cli_exec --probe CALL`): it makes one system call and
//! prints `ret=R errno=E`. So the file has its own small harness
//! (`harness = false`): the probe must start without libtest's threads.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Output};

const SIGSYS: i32 = 31;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--probe") {
        probe(&args[2..]);
    }
    type Case = (&'static str, fn());
    let cases: &[Case] = &[
        ("errno_77_reaches_the_program", errno_77_reaches_the_program),
        (
            "kill_process_kills_with_sigsys",
            kill_process_kills_with_sigsys,
        ),
        ("trap_kills_with_sigsys", trap_kills_with_sigsys),
        ("log_lets_the_call_through", log_lets_the_call_through),
        (
            "int80_is_killed_under_x86_64_only",
            int80_is_killed_under_x86_64_only,
        ),
        (
            "x32_bit_is_killed_under_x86_64_only",
            x32_bit_is_killed_under_x86_64_only,
        ),
        (
            "int80_goes_through_with_x86_listed",
            int80_goes_through_with_x86_listed,
        ),
        ("exit_code_is_the_commands", exit_code_is_the_commands),
        (
            "ls_runs_under_the_podman_profile",
            ls_runs_under_the_podman_profile,
        ),
        (
            "bad_profiles_are_refused_before_running",
            bad_profiles_are_refused_before_running,
        ),
        (
            "the_command_gets_default_signals",
            the_command_gets_default_signals,
        ),
        (
            "strict_names_refuses_unknown_calls",
            strict_names_refuses_unknown_calls,
        ),
        (
            "refused_execve_is_reported_clearly",
            refused_execve_is_reported_clearly,
        ),
        (
            "learned_profile_runs_the_command",
            learned_profile_runs_the_command,
        ),
        (
            "learn_covers_children_and_threads",
            learn_covers_children_and_threads,
        ),
        ("report_lines_and_errnos", report_lines_and_errnos),
        ("report_kill_dies_by_sigsys", report_kill_dies_by_sigsys),
        ("report_bad_arch", report_bad_arch),
        (
            "report_allowed_calls_stay_silent",
            report_allowed_calls_stay_silent,
        ),
        ("report_refused_execve", report_refused_execve),
    ];
    let filter: Vec<&String> = args
        .iter()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let exact = args.iter().any(|a| a == "--exact");
    let selected: Vec<&Case> = cases
        .iter()
        .filter(|(name, _)| {
            filter.is_empty()
                || filter.iter().any(|f| {
                    if exact {
                        name == f
                    } else {
                        name.contains(f.as_str())
                    }
                })
        })
        .collect();
    println!("\nrunning {} tests", selected.len());
    let mut failed = Vec::new();
    for (name, f) in &selected {
        let ok = std::panic::catch_unwind(f).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        if !ok {
            failed.push(*name);
        }
    }
    let passed = selected.len() - failed.len();
    if !failed.is_empty() {
        println!("\nfailures:");
        for f in &failed {
            println!("    {f}");
        }
    }
    println!(
        "\ntest result: {}. {passed} passed; {} failed; 0 ignored; 0 measured; {} filtered out\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        failed.len(),
        cases.len() - selected.len()
    );
    std::process::exit(if failed.is_empty() { 0 } else { 101 });
}

/// Probe mode: one call, its result on stdout.
fn probe(args: &[String]) -> ! {
    let call = args.first().map(String::as_str).unwrap_or("");
    let last_errno = || std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
    let (ret, errno): (i64, i32) = match call {
        "getppid" | "getpid" | "gettid" => {
            let nr = match call {
                "getppid" => libc::SYS_getppid,
                "getpid" => libc::SYS_getpid,
                _ => libc::SYS_gettid,
            };
            // SAFETY: these calls take no arguments.
            let r = unsafe { libc::syscall(nr) };
            (r, if r < 0 { last_errno() } else { 0 })
        }
        "loop-getpid" => {
            let n: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
            let mut r = 0;
            for _ in 0..n {
                // SAFETY: getpid takes no arguments.
                r = unsafe { libc::syscall(libc::SYS_getpid) };
            }
            (r, 0)
        }
        "thread-getppid" => {
            let r = std::thread::spawn(|| {
                // SAFETY: getppid takes no arguments.
                unsafe { libc::syscall(libc::SYS_getppid) }
            })
            .join()
            .unwrap_or(-1);
            (r, 0)
        }
        "x32-getpid" => {
            // SAFETY: a number-only call (x32's getpid).
            let r = unsafe { libc::syscall(libc::SYS_getpid | 0x4000_0000) };
            (r, if r < 0 { last_errno() } else { 0 })
        }
        "int80-getpid" => int80_getpid(),
        "exit" => {
            let code = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
            std::process::exit(code);
        }
        _ => {
            eprintln!("probe: unknown call {call:?}");
            std::process::exit(3);
        }
    };
    println!("ret={ret} errno={errno}");
    std::process::exit(0)
}

/// i386 getpid (20) through `int 0x80` from this 64-bit process.
#[cfg(target_arch = "x86_64")]
fn int80_getpid() -> (i64, i32) {
    let mut eax: i64 = 20;
    // SAFETY: i386 getpid takes no arguments and touches no memory; the
    // 64-bit kernel's int 0x80 entry may clobber r8-r11.
    unsafe {
        core::arch::asm!(
            "int 0x80",
            inlateout("rax") eax,
            lateout("r8") _, lateout("r9") _, lateout("r10") _, lateout("r11") _,
        );
    }
    let r = eax as i32 as i64;
    if r < 0 { (-1, -r as i32) } else { (r, 0) }
}

#[cfg(not(target_arch = "x86_64"))]
fn int80_getpid() -> (i64, i32) {
    (-1, libc::ENOSYS)
}

fn native() -> &'static str {
    seccomp_bpf::Abi::NATIVE.expect("a known ABI").name()
}

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_seccomp-bpf")
}

fn me() -> PathBuf {
    std::env::current_exe().expect("current_exe")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("seccomp-bpf-cli-exec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// Writes `json` to a temp file and returns its path.
fn profile(name: &str, json: &str) -> String {
    let p = tmp(name);
    std::fs::write(&p, json).expect("write profile");
    p.to_str().expect("utf-8 path").to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(exe())
        .args(args)
        .output()
        .expect("run seccomp-bpf")
}

/// `exec` (with `extra` options) of the probe making `call`.
fn exec_probe(profile: &str, extra: &[&str], call: &[&str]) -> Output {
    let me = me();
    let me = me.to_str().expect("utf-8 path");
    let mut args = vec!["exec", "--profile", profile];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--", me, "--probe"]);
    args.extend_from_slice(call);
    run(&args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The probe's `(ret, errno)`; panics unless it printed them and exited 0.
fn result(o: &Output) -> (i64, i32) {
    assert!(
        o.status.success(),
        "status {:?}, stderr: {}",
        o.status,
        stderr(o)
    );
    let out = stdout(o);
    let line = out.lines().last().unwrap_or("");
    let mut ret = None;
    let mut errno = None;
    for part in line.split(' ') {
        if let Some(v) = part.strip_prefix("ret=") {
            ret = v.parse().ok();
        }
        if let Some(v) = part.strip_prefix("errno=") {
            errno = v.parse().ok();
        }
    }
    match (ret, errno) {
        (Some(r), Some(e)) => (r, e),
        _ => panic!("no result in {out:?}"),
    }
}

fn assert_sigsys(o: &Output) {
    assert_eq!(
        o.status.signal(),
        Some(SIGSYS),
        "status {:?}, stdout {:?}, stderr {:?}",
        o.status,
        stdout(o),
        stderr(o)
    );
}

fn on_getppid(action: &str) -> String {
    format!(
        r#"{{"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{{"names": ["getppid"], "action": "{action}", "errnoRet": 77}}]}}"#
    )
}

fn errno_77_reaches_the_program() {
    let p = profile("errno77.json", &on_getppid("SCMP_ACT_ERRNO"));
    assert_eq!(result(&exec_probe(&p, &[], &["getppid"])), (-1, 77));
    // Other calls are untouched.
    let (pid, e) = result(&exec_probe(&p, &[], &["getpid"]));
    assert!(pid > 0 && e == 0);
}

fn kill_process_kills_with_sigsys() {
    let p = profile("kill.json", &on_getppid("SCMP_ACT_KILL_PROCESS"));
    let o = exec_probe(&p, &[], &["getppid"]);
    assert_sigsys(&o);
    assert_eq!(stdout(&o), "");
}

fn trap_kills_with_sigsys() {
    let p = profile("trap.json", &on_getppid("SCMP_ACT_TRAP"));
    assert_sigsys(&exec_probe(&p, &[], &["getppid"]));
}

fn log_lets_the_call_through() {
    let p = profile("log.json", &on_getppid("SCMP_ACT_LOG"));
    // exec replaced the CLI's process, so the probe's parent is this one.
    let (ppid, e) = result(&exec_probe(&p, &[], &["getppid"]));
    assert_eq!((ppid, e), (i64::from(std::process::id()), 0));
}

const X86_64_ONLY: &str =
    r#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"]}"#;

/// Whether this kernel runs `int 0x80` from a 64-bit process.
fn has_int80() -> bool {
    let o = Command::new(me())
        .args(["--probe", "int80-getpid"])
        .output();
    let ok = o.as_ref().is_ok_and(|o| {
        let (r, _) = result(o);
        r > 0
    });
    if !ok {
        println!("skipped: no i386 emulation on this kernel");
    }
    ok
}

fn int80_is_killed_under_x86_64_only() {
    if !cfg!(target_arch = "x86_64") || !has_int80() {
        return;
    }
    let p = profile("x86_64only.json", X86_64_ONLY);
    assert_sigsys(&exec_probe(&p, &[], &["int80-getpid"]));
    // The same profile lets the 64-bit call through.
    let (pid, _) = result(&exec_probe(&p, &[], &["getpid"]));
    assert!(pid > 0);
}

fn x32_bit_is_killed_under_x86_64_only() {
    if !cfg!(target_arch = "x86_64") {
        return;
    }
    let p = profile("x86_64only-x32.json", X86_64_ONLY);
    assert_sigsys(&exec_probe(&p, &[], &["x32-getpid"]));
}

fn int80_goes_through_with_x86_listed() {
    if !cfg!(target_arch = "x86_64") || !has_int80() {
        return;
    }
    let both = r#"{"defaultAction": "SCMP_ACT_ALLOW",
                   "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]}"#;
    let p = profile("both.json", both);
    let (pid, e) = result(&exec_probe(&p, &[], &["int80-getpid"]));
    assert!(pid > 0 && e == 0, "{pid} {e}");
    // --abi lists them for a profile that names none.
    let p = profile("none.json", r#"{"defaultAction": "SCMP_ACT_ALLOW"}"#);
    assert_sigsys(&exec_probe(&p, &[], &["int80-getpid"]));
    let (pid, _) = result(&exec_probe(&p, &["--abi", "x86_64,x86"], &["int80-getpid"]));
    assert!(pid > 0);
}

fn exit_code_is_the_commands() {
    let p = profile("allow.json", r#"{"defaultAction": "SCMP_ACT_ALLOW"}"#);
    let o = exec_probe(&p, &[], &["exit", "42"]);
    assert_eq!(o.status.code(), Some(42));
    let o = exec_probe(&p, &["--report"], &["exit", "43"]);
    assert_eq!(o.status.code(), Some(43));
}

fn sig_ign(status: &str) -> String {
    status
        .lines()
        .find(|l| l.starts_with("SigIgn:"))
        .unwrap_or("no SigIgn line")
        .to_string()
}

fn the_command_gets_default_signals() {
    // A Rust launcher ignores SIGPIPE; the command must not inherit that.
    let plain = Command::new("/bin/cat")
        .arg("/proc/self/status")
        .output()
        .expect("cat");
    let p = profile("allow-sig.json", r#"{"defaultAction": "SCMP_ACT_ALLOW"}"#);
    for extra in [&[][..], &["--report"][..]] {
        let mut args = vec!["exec", "--profile", &p];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--", "/bin/cat", "/proc/self/status"]);
        let o = run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(sig_ign(&stdout(&o)), sig_ign(&stdout(&plain)), "{extra:?}");
    }
}

fn podman_profile() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let found = root
        .ancestors()
        .map(|d| d.join("shared/profiles/podman-default.json"))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "podman profile not found");
        println!("skipped: shared/profiles/podman-default.json not found");
    }
    found
}

fn ls_runs_under_the_podman_profile() {
    let Some(path) = podman_profile() else {
        return;
    };
    let path = path.to_str().expect("utf-8 path");
    let o = run(&["exec", "--profile", path, "--", "/bin/ls", "/"]);
    assert!(o.status.success(), "{:?} {}", o.status, stderr(&o));
    let plain = Command::new("/bin/ls").arg("/").output().expect("ls");
    assert_eq!(o.stdout, plain.stdout);
    assert!(stdout(&o).lines().any(|l| l == "usr"));
    // The same under --report: nothing ls does is refused.
    let o = run(&["exec", "--report", "--profile", path, "--", "/bin/ls", "/"]);
    assert!(o.status.success(), "{:?} {}", o.status, stderr(&o));
    assert_eq!(o.stdout, plain.stdout);
    assert!(!stderr(&o).contains("denied"), "{}", stderr(&o));
}

fn bad_profiles_are_refused_before_running() {
    let marker = tmp("ran");
    let _ = std::fs::remove_file(&marker);
    let cmd = format!("echo ran > {}", marker.display());
    for (name, json) in [
        (
            "errno-range.json",
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls":
                [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5000}]}"#,
        ),
        (
            "bad-op.json",
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls":
                [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO",
                  "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_FOO"}]}]}"#,
        ),
        (
            "arg-index.json",
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls":
                [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO",
                  "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}"#,
        ),
        ("not-json.json", "{"),
    ] {
        let p = profile(name, json);
        for report in [&[][..], &["--report"][..]] {
            let mut args = vec!["exec"];
            args.extend_from_slice(report);
            args.extend_from_slice(&["--profile", &p, "--", "/bin/sh", "-c", &cmd]);
            let o = run(&args);
            assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
            assert!(stderr(&o).starts_with("seccomp-bpf: "), "{}", stderr(&o));
            assert!(!marker.exists(), "{name}: the command ran");
        }
    }
}

fn strict_names_refuses_unknown_calls() {
    let p = profile(
        "unknown-name.json",
        r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls":
            [{"names": ["no_such_call"], "action": "SCMP_ACT_ERRNO"}]}"#,
    );
    // Skipped by default: such a call cannot be made anyway.
    let (pid, _) = result(&exec_probe(&p, &[], &["getpid"]));
    assert!(pid > 0);
    let o = exec_probe(&p, &["--strict-names"], &["getpid"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no_such_call"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

fn refused_execve_is_reported_clearly() {
    let p = profile(
        "noexec.json",
        r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls":
            [{"names": ["execve"], "action": "SCMP_ACT_ERRNO"}]}"#,
    );
    let o = exec_probe(&p, &[], &["getpid"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("refuses execve"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

/// `learn -o FILE -- probe CALL`.
fn learn(name: &str, command: &[&str]) -> (Output, String) {
    let out = tmp(name);
    let out = out.to_str().expect("utf-8").to_string();
    let mut args = vec!["learn", "-o", &out, "--"];
    args.extend_from_slice(command);
    (run(&args), out)
}

fn names_in(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("learned profile");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["defaultAction"], "SCMP_ACT_ERRNO");
    assert_eq!(v["defaultErrnoRet"], 38);
    let mut names = Vec::new();
    for entry in v["syscalls"].as_array().expect("syscalls") {
        assert_eq!(entry["action"], "SCMP_ACT_ALLOW");
        let list: Vec<String> = entry["names"]
            .as_array()
            .expect("names")
            .iter()
            .map(|n| n.as_str().expect("name").to_string())
            .collect();
        let mut sorted = list.clone();
        sorted.sort();
        assert_eq!(list, sorted, "names are sorted");
        names.extend(list);
    }
    names
}

fn learned_profile_runs_the_command() {
    let me = me();
    let me = me.to_str().expect("utf-8");
    let (o, path) = learn("learned.json", &[me, "--probe", "getpid"]);
    let (pid, e) = result(&o);
    assert!(pid > 0 && e == 0);
    let names = names_in(&path);
    for n in ["execve", "getpid", "write", "exit_group"] {
        assert!(names.iter().any(|x| x == n), "{n} missing from {names:?}");
    }
    assert!(!names.iter().any(|x| x == "getppid"));
    // The learned profile runs the command as it ran ...
    let (pid, e) = result(&exec_probe(&path, &[], &["getpid"]));
    assert!(pid > 0 && e == 0);
    // ... and a call it never made fails with ENOSYS.
    assert_eq!(result(&exec_probe(&path, &[], &["getppid"])), (-1, 38));
    // The exit code passes through learn too.
    let (o, _) = learn("learned-exit.json", &[me, "--probe", "exit", "7"]);
    assert_eq!(o.status.code(), Some(7));
}

fn learn_covers_children_and_threads() {
    let me = me();
    let me = me.to_str().expect("utf-8");
    // A thread's getppid.
    let (o, path) = learn("threads.json", &[me, "--probe", "thread-getppid"]);
    let (ppid, _) = result(&o);
    assert!(ppid > 0);
    let names = names_in(&path);
    assert!(names.iter().any(|n| n == "getppid"), "{names:?}");
    assert!(
        names.iter().any(|n| n == "clone3" || n == "clone"),
        "{names:?}"
    );
    // A child process's calls (the shell forks, the probe calls getppid).
    let script = format!("{me} --probe getppid; true");
    let (o, path) = learn("children.json", &["/bin/sh", "-c", &script]);
    assert!(o.status.success(), "{}", stderr(&o));
    let names = names_in(&path);
    assert!(names.iter().any(|n| n == "getppid"), "{names:?}");
    assert!(names.iter().any(|n| n == "wait4"), "{names:?}");
    // That profile runs the same script.
    let o = run(&["exec", "--profile", &path, "--", "/bin/sh", "-c", &script]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (ppid, e) = result(&o);
    assert!(ppid > 0 && e == 0);
}

fn report_lines(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter(|l| l.contains("denied"))
        .map(str::to_string)
        .collect()
}

fn report_lines_and_errnos() {
    let p = profile("report77.json", &on_getppid("SCMP_ACT_ERRNO"));
    let o = exec_probe(&p, &["--report"], &["getppid"]);
    assert_eq!(result(&o), (-1, 77));
    let nr = libc::SYS_getppid;
    assert_eq!(
        report_lines(&o),
        [format!(
            "seccomp-bpf: denied getppid ({nr}) on {} -> ERRNO(77)",
            native()
        )]
    );
}

fn report_kill_dies_by_sigsys() {
    for action in ["SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP"] {
        let p = profile("reportkill.json", &on_getppid(action));
        let o = exec_probe(&p, &["--report"], &["getppid"]);
        assert_sigsys(&o);
        let lines = report_lines(&o);
        assert_eq!(lines.len(), 1, "{lines:?}");
        let shown = if action == "SCMP_ACT_TRAP" {
            "TRAP(0)"
        } else {
            "KILL_PROCESS"
        };
        assert!(lines[0].ends_with(&format!("-> {shown}")), "{lines:?}");
    }
}

fn report_bad_arch() {
    if !cfg!(target_arch = "x86_64") || !has_int80() {
        return;
    }
    let p = profile("reportarch.json", X86_64_ONLY);
    let o = exec_probe(&p, &["--report"], &["int80-getpid"]);
    assert_sigsys(&o);
    assert_eq!(
        report_lines(&o),
        ["seccomp-bpf: denied getpid (20) on x86 -> KILL_PROCESS"]
    );
}

fn report_allowed_calls_stay_silent() {
    let p = profile("report-quiet.json", &on_getppid("SCMP_ACT_ERRNO"));
    let o = exec_probe(&p, &["--report"], &["loop-getpid", "100000"]);
    let (pid, _) = result(&o);
    assert!(pid > 0);
    assert_eq!(report_lines(&o), Vec::<String>::new());
    assert_eq!(stderr(&o), "");
}

fn report_refused_execve() {
    let p = profile(
        "report-noexec.json",
        r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls":
            [{"names": ["execve"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}"#,
    );
    let o = exec_probe(&p, &["--report"], &["getpid"]);
    let nr = libc::SYS_execve;
    assert_eq!(
        report_lines(&o),
        [format!(
            "seccomp-bpf: denied execve ({nr}) on {} -> ERRNO(1)",
            native()
        )]
    );
    assert_eq!(o.status.code(), Some(126));
    assert!(stderr(&o).contains("exec "), "{}", stderr(&o));
}

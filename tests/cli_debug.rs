//! `seccomp-bpf explain`, `sim --trace` and `audit` as a script would use
//! them: stable lines, the same spelling as `sim`, exit status 1 for a
//! filter with audit errors, 2 for bad input.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::{Command, Output};

use seccomp_bpf::bpf::{self, Disasm, SockFilter};
use seccomp_bpf::{Abi, Action, ByteOrder, SeccompData, data};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seccomp-bpf"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 output")
}

fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

fn tmp(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

fn write(name: &str, text: &str) -> String {
    let path = tmp(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn write_prog(name: &str, prog: &[SockFilter], order: ByteOrder) -> String {
    let bytes: Vec<u8> = prog.iter().flat_map(|i| i.to_bytes(order)).collect();
    let path = tmp(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

/// A profile with a default, a precedence contest on `socket`, a
/// first-written tie on `kill` and a masked argument rule.
const PROFILE: &str = r#"{
  "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
  "syscalls": [
    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
     "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"},
              {"index": 2, "value": 9, "op": "SCMP_CMP_EQ"}]},
    {"names": ["socket"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
     "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]},
    {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
    {"names": ["mmap"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 2, "value": 4, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}
  ]
}"#;

/// The action line `sim` prints for the compiled profile.
fn sim_action(profile: &str, abi: &str, syscall: &str, args: &str, log_mode: bool) -> String {
    let raw = tmp(&format!("explain-{abi}-{log_mode}.bpf"));
    let raw = raw.to_str().unwrap();
    let mut c = vec!["compile", profile, "-o", raw];
    if log_mode {
        c.push("--log-mode");
    }
    ok(&c);
    let out = ok(&[
        "sim",
        raw,
        "--abi",
        abi,
        "--syscall",
        syscall,
        "--args",
        args,
    ]);
    out.split_whitespace().next().unwrap().to_string()
}

#[test]
fn explain_names_the_deciding_rule_and_each_condition() {
    let p = write("explain.json", PROFILE);
    let out = ok(&[
        "explain",
        &p,
        "--abi",
        "x86_64",
        "--syscall",
        "socket",
        "--args",
        "16,2,9",
    ]);
    assert_eq!(
        out,
        "action=ERRNO(22)
reason=rule 2 syscalls[1].names[0]
rule 2 syscalls[1].names[0] ERRNO(22): decided
  args[0] == 0x10: args[0]=0x10 held
  args[2] == 0x9: args[2]=0x9 held
rule 3 syscalls[2].names[0] ALLOW: matched, lost to rule 2
"
    );
    assert_eq!(
        out.lines().next().unwrap(),
        sim_action(&p, "x86_64", "socket", "16,2,9", false)
    );
    // One condition fails: the ALLOW rule decides.
    let out = ok(&[
        "explain",
        &p,
        "--abi",
        "x86_64",
        "--syscall",
        "socket",
        "--args",
        "16,2,0",
    ]);
    assert!(
        out.starts_with("action=ALLOW\nreason=rule 3 syscalls[2].names[0]\n"),
        "{out}"
    );
    assert!(
        out.contains("rule 2 syscalls[1].names[0] ERRNO(22): not matched\n"),
        "{out}"
    );
    assert!(
        out.contains("  args[2] == 0x9: args[2]=0x0 failed\n"),
        "{out}"
    );
    assert!(
        out.contains("rule 3 syscalls[2].names[0] ALLOW: decided\n"),
        "{out}"
    );
}

#[test]
fn explain_reports_ties_default_bad_arch_and_log_mode() {
    let p = write("explain-ties.json", PROFILE);
    // Two ERRNO rules match: the first written wins.
    let out = ok(&[
        "explain",
        &p,
        "--abi",
        "x86",
        "--syscall",
        "kill",
        "--args",
        "1,9",
    ]);
    assert!(
        out.starts_with("action=ERRNO(1)\nreason=rule 4 syscalls[3].names[0]\n"),
        "{out}"
    );
    assert!(out.contains("rule 5 syscalls[4].names[0] ERRNO(13): matched, lost to rule 4\n"));
    assert_eq!(
        out.lines().next().unwrap(),
        sim_action(&p, "x86", "kill", "1,9", false)
    );
    // The masked comparison, spelled out.
    let out = ok(&[
        "explain",
        &p,
        "--abi",
        "x86_64",
        "--syscall",
        "mmap",
        "--args",
        "0,4096,7",
    ]);
    assert!(
        out.starts_with("action=ERRNO(38)\nreason=default\n"),
        "{out}"
    );
    assert!(
        out.contains("  args[2] & 0x4 == 0x0: args[2]=0x7 failed\n"),
        "{out}"
    );
    // No rule on the call.
    let out = ok(&["explain", &p, "--abi", "x86_64", "--syscall", "getpid"]);
    assert_eq!(out, "action=ERRNO(38)\nreason=default\n");
    assert_eq!(
        "action=ERRNO(38)",
        sim_action(&p, "x86_64", "getpid", "0", false)
    );
    // An ABI the profile does not list.
    let out = ok(&["explain", &p, "--abi", "x32", "--syscall", "read"]);
    assert_eq!(out, "action=KILL_PROCESS\nreason=bad-arch\n");
    // Log mode: the action becomes LOG, the reason stays.
    let out = ok(&[
        "explain",
        &p,
        "--abi",
        "x86_64",
        "--syscall",
        "kill",
        "--log-mode",
    ]);
    assert!(out.starts_with("action=LOG\nreason=rule 5 "), "{out}");
    assert_eq!("action=LOG", sim_action(&p, "x86_64", "kill", "0", true));
}

#[test]
fn explain_refuses_bad_input() {
    let p = write("explain-bad.json", PROFILE);
    for args in [
        &["explain", &p, "--abi", "x86_64"][..],
        &["explain", &p, "--syscall", "read"],
        &[
            "explain",
            &p,
            "--abi",
            "x86_64",
            "--syscall",
            "no_such_call",
        ],
        &[
            "explain",
            "/nonexistent.json",
            "--abi",
            "x86_64",
            "--syscall",
            "read",
        ],
        &[
            "explain",
            &p,
            "--abi",
            "x86_64",
            "--syscall",
            "read",
            "--args",
            "1,2,3,4,5,6,7",
        ],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&o).lines().count(), 1, "{args:?}: {}", stderr(&o));
    }
}

/// A podman-like profile from the shared folder, if present.
fn podman() -> Option<String> {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let path = dir.join("shared/profiles/podman-default.json");
        if path.exists() {
            return Some(path.to_str()?.to_string());
        }
        if !dir.pop() {
            println!("skipped: shared/profiles/podman-default.json not found");
            return None;
        }
    }
}

#[test]
fn explain_podman_agrees_with_sim() {
    let Some(p) = podman() else { return };
    for (abi, call, args) in [
        ("x86_64", "socket", "16,3,9"),
        ("x86_64", "socket", "2,1,0"),
        ("x86_64", "personality", "8"),
        ("x86_64", "kexec_load", "0"),
        ("x86", "clone", "0"),
        ("x86_64", "reboot", "0"),
    ] {
        let o = run(&[
            "explain",
            &p,
            "--abi",
            abi,
            "--syscall",
            call,
            "--args",
            args,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        let raw = tmp("podman-explain.bpf");
        let raw = raw.to_str().unwrap();
        ok(&["compile", &p, "-o", raw]);
        let sim = ok(&["sim", raw, "--abi", abi, "--syscall", call, "--args", args]);
        assert_eq!(
            out.lines().next(),
            sim.split_whitespace().next(),
            "{abi} {call} {args}"
        );
    }
}

/// x86_64: allow getpid, ERRNO(77) for getppid with arg0 == 5, ENOSYS else.
fn small_filter() -> Vec<SockFilter> {
    let order = ByteOrder::Little;
    vec![
        bpf::ld_abs(data::ARCH),
        bpf::jeq_k(Abi::X86_64.audit_arch(), 1, 0),
        bpf::ret_k(Action::KillProcess.to_ret()),
        bpf::ld_abs(data::NR),
        bpf::jeq_k(39, 5, 0),
        bpf::jeq_k(110, 1, 0),
        bpf::ret_k(Action::Errno(38).to_ret()),
        bpf::ld_abs(data::arg_lo(0, order)),
        bpf::jeq_k(5, 0, 1),
        bpf::ret_k(Action::Errno(77).to_ret()),
        bpf::ret_k(Action::Allow.to_ret()),
    ]
}

#[test]
fn sim_trace_prints_the_path_then_the_action() {
    let prog = small_filter();
    let f = write_prog("trace.bpf", &prog, ByteOrder::Little);
    let out = ok(&[
        "sim",
        &f,
        "--abi",
        "x86_64",
        "--syscall",
        "getppid",
        "--args",
        "5",
        "--trace",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    // The pcs the interpreter went through, in order.
    let data = SeccompData::new(110, Abi::X86_64.audit_arch(), [5, 0, 0, 0, 0, 0]);
    let mut steps = Vec::new();
    let o = bpf::run_traced(&prog, ByteOrder::Little, &data, &mut |s| steps.push(*s)).unwrap();
    assert_eq!(lines.len(), steps.len() + 1);
    let texts: Vec<String> = Disasm::new(&prog)
        .abi(Abi::X86_64)
        .lines()
        .map(|l| l.to_string())
        .collect();
    for (line, step) in lines.iter().zip(&steps) {
        let (head, regs) = line.split_at(line.find("A=").unwrap());
        let (pc, text) = head.split_once(':').unwrap();
        assert_eq!(pc.trim().parse::<usize>().unwrap(), step.pc);
        assert_eq!(text.trim(), texts[step.pc]);
        assert_eq!(regs, format!("A={:#010x} X={:#010x}", step.a, step.x));
    }
    assert_eq!(
        lines[0].split_whitespace().take(4).collect::<Vec<_>>(),
        ["0:", "A", "=", "arch"]
    );
    assert!(
        lines[2].contains("A = nr") && lines[2].contains("A=0x0000006e"),
        "{out}"
    );
    assert!(lines[5].contains("A = args[0].lo") && lines[5].contains("A=0x00000005"));
    assert_eq!(lines.last().copied(), Some("action=ERRNO(77) executed=8"));
    assert_eq!(o.executed, 8);
    // The final line is what sim prints without --trace.
    let plain = ok(&[
        "sim",
        &f,
        "--abi",
        "x86_64",
        "--syscall",
        "getppid",
        "--args",
        "5",
    ]);
    assert_eq!(plain.trim_end(), *lines.last().unwrap());
    // --trace and --batch do not mix.
    let o = run(&["sim", &f, "--abi", "x86_64", "--batch", "--trace"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn audit_prints_one_line_per_finding_and_sets_the_exit_status() {
    let le = ByteOrder::Little;
    // No arch check: exit 1.
    let prog = [
        bpf::ld_abs(data::NR),
        bpf::jeq_k(59, 0, 1),
        bpf::ret_k(Action::KillProcess.to_ret()),
        bpf::ret_k(Action::Errno(38).to_ret()),
    ];
    let f = write_prog("audit-noarch.bpf", &prog, le);
    let o = run(&["audit", &f, "--abi", "x86_64"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "error arch pc 1: nr is tested before arch is checked\n1 errors, 0 warnings\n"
    );
    // Warnings only: exit 0, or 1 with --strict.
    let prog = [
        bpf::ld_abs(data::ARCH),
        bpf::jeq_k(Abi::X86_64.audit_arch(), 1, 0),
        bpf::ret_k(Action::KillProcess.to_ret()),
        bpf::ld_abs(data::NR),
        bpf::jge_k(0x4000_0000, 2, 0),
        bpf::jeq_k(39, 2, 0),
        bpf::ret_k(Action::Errno(1).to_ret()),
        bpf::ret_k(Action::KillProcess.to_ret()),
        bpf::ret_k(Action::Allow.to_ret()),
    ];
    let f = write_prog("audit-eperm.bpf", &prog, le);
    let o = run(&["audit", &f, "--abi", "x86_64"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.starts_with("warning eperm-default pc 6: "), "{text}");
    assert!(text.ends_with("0 errors, 1 warnings\n"), "{text}");
    let o = run(&["audit", &f, "--abi", "x86_64", "--strict"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), text);
    // Our compiled profile: no errors, exit 0.
    let p = write("audit.json", PROFILE);
    let raw = tmp("audit-profile.bpf");
    let raw = raw.to_str().unwrap();
    ok(&["compile", &p, "--abi", "x86_64,x86", "-o", raw]);
    let out = ok(&["audit", raw, "--abi", "x86_64,x86"]);
    assert_eq!(out.lines().last(), Some("0 errors, 0 warnings"), "{out}");
    // Bad input: exit 2, one line on stderr.
    for args in [
        &["audit", raw][..],
        &["audit", raw, "--abi", "x86_64,s390x"],
        &["audit", raw, "--abi", "nope"],
        &["audit", "/nonexistent", "--abi", "x86_64"],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&o).lines().count(), 1, "{args:?}");
    }
}

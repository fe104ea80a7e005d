//! The command-line tool as a script would use it: stable output, exit 0 on
//! success, 1 for a program that fails `verify`, 2 for bad input.
#![cfg(feature = "cli")]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use seccomp_bpf::bpf::{self, SockFilter};
use seccomp_bpf::{Abi, Action, ByteOrder, Syscall, data};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_seccomp-bpf"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 output")
}

/// A filter for `abi`: allow getpid, ERRNO(77) for getppid when arg0 == 5,
/// ENOSYS for the rest; other arches are killed.
fn filter(abi: Abi) -> Vec<SockFilter> {
    let order = abi.byte_order();
    let getpid = Syscall::getpid.nr(abi).unwrap();
    let getppid = Syscall::getppid.nr(abi).unwrap();
    vec![
        bpf::ld_abs(data::ARCH),
        bpf::jeq_k(abi.audit_arch(), 1, 0),
        bpf::ret_k(Action::KillProcess.to_ret()),
        bpf::ld_abs(data::NR),
        bpf::jeq_k(getpid, 5, 0),
        bpf::jeq_k(getppid, 1, 0),
        bpf::ret_k(Action::Errno(38).to_ret()),
        bpf::ld_abs(data::arg_lo(0, order)),
        bpf::jeq_k(5, 0, 1),
        bpf::ret_k(Action::Errno(77).to_ret()),
        bpf::ret_k(Action::Allow.to_ret()),
    ]
}

fn write_prog(name: &str, prog: &[SockFilter], order: ByteOrder) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(name);
    let bytes: Vec<u8> = prog.iter().flat_map(|i| i.to_bytes(order)).collect();
    std::fs::write(&path, bytes).unwrap();
    path
}

fn write_bytes(name: &str, bytes: &[u8]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn abis_lists_every_abi_with_its_facts() {
    let o = run(&["abis"]);
    assert!(o.status.success());
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), Abi::ALL.len());
    for (line, abi) in lines.iter().zip(Abi::ALL) {
        let w: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(w.len(), 4, "{line}");
        assert_eq!(w[0], abi.name());
        assert_eq!(
            u32::from_str_radix(w[1].trim_start_matches("0x"), 16).unwrap(),
            abi.audit_arch()
        );
        assert_eq!(w[2], abi.byte_order().name());
        assert_eq!(w[3], abi.word_bits().to_string());
    }
    assert!(text.contains("x86_64       0xc000003e little 64"));
    assert!(text.contains("s390x        0x80000016 big    64"));
}

#[test]
fn syscalls_lists_numbers_as_seccomp_data_carries_them() {
    let parse = |abi: &str| -> Vec<(String, u32)> {
        let o = run(&["syscalls", "--abi", abi]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
            .lines()
            .map(|l| {
                let (n, nr) = l.split_once('\t').expect("name<TAB>number");
                (n.to_string(), nr.parse().unwrap())
            })
            .collect()
    };
    let x86_64 = parse("x86_64");
    assert!(x86_64.windows(2).all(|w| w[0].1 < w[1].1), "ascending");
    assert_eq!(x86_64[0], ("read".to_string(), 0));
    assert!(x86_64.contains(&("openat".to_string(), 257)));
    let x32 = parse("SCMP_ARCH_X32");
    assert!(x32.iter().all(|(_, nr)| nr & 0x4000_0000 != 0));
    let mips = parse("mipsel");
    assert!(mips.iter().all(|(_, nr)| (4000..5000).contains(nr)));
    let arm = parse("arm");
    assert!(arm.contains(&("set_tls".to_string(), 0x0f0005)));
    assert_eq!(x86_64.len(), seccomp_bpf::syscall::table(Abi::X86_64).len());
}

#[test]
fn verify_reports_length_and_charge_or_the_reason() {
    let prog = filter(Abi::X86_64);
    let good = write_prog("cli-good.bpf", &prog, ByteOrder::Little);
    let o = run(&["verify", good.to_str().unwrap()]);
    assert!(o.status.success());
    let v = bpf::verify(&prog).unwrap();
    assert_eq!(
        stdout(&o),
        format!("ok {} instructions, {} charged\n", prog.len(), v.charged)
    );

    let mut broken = prog.clone();
    broken[4].jt = 200;
    let bad = write_prog("cli-bad.bpf", &broken, ByteOrder::Little);
    let o = run(&["verify", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("pc 4"), "{}", stdout(&o));

    // A big-endian file read with the ABI's byte order.
    let be = write_prog("cli-be.bpf", &filter(Abi::S390x), ByteOrder::Big);
    let o = run(&["verify", be.to_str().unwrap(), "--abi", "s390x"]);
    assert!(o.status.success(), "{}", stdout(&o));
    let o = run(&["verify", be.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "read as little-endian it is garbage"
    );
}

#[test]
fn disasm_names_fields_and_syscalls() {
    let p = write_prog("cli-dis.bpf", &filter(Abi::X86_64), ByteOrder::Little);
    let o = run(&["disasm", p.to_str().unwrap(), "--abi", "x86_64"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 11);
    assert!(text.contains("A = arch"));
    assert!(text.contains("X86_64"));
    assert!(text.contains("getppid"));
    assert!(text.contains("A = args[0].lo"));
    assert!(text.contains("ERRNO(77)"));
}

#[test]
fn sim_prints_action_and_executed_count() {
    for abi in [Abi::X86_64, Abi::Aarch64, Abi::S390x, Abi::Mips] {
        let order = abi.byte_order();
        let p = write_prog(&format!("cli-sim-{abi}.bpf"), &filter(abi), order);
        let path = p.to_str().unwrap();
        let o = run(&["sim", path, "--abi", abi.name(), "--syscall", "getpid"]);
        assert_eq!(stdout(&o), "action=ALLOW executed=5\n", "{abi}");
        let o = run(&[
            "sim",
            path,
            "--abi",
            abi.name(),
            "--syscall",
            "getppid",
            "--args",
            "5,0,0",
        ]);
        assert_eq!(stdout(&o), "action=ERRNO(77) executed=8\n", "{abi}");
        // The filter reads the low word: the ABI's byte order decides where.
        for (arg, want) in [("0x1_0000_0005", "ERRNO(77)"), ("0x5_0000_0000", "ALLOW")] {
            let o = run(&[
                "sim",
                path,
                "--abi",
                abi.name(),
                "--syscall",
                "getppid",
                "--args",
                arg,
            ]);
            assert!(
                stdout(&o).starts_with(&format!("action={want}")),
                "{abi} {arg}"
            );
        }
        let nr = Syscall::openat.nr(abi).map_or(1, |n| n).to_string();
        let o = run(&["sim", path, "--abi", abi.name(), "--nr", &nr]);
        assert_eq!(stdout(&o), "action=ERRNO(38) executed=6\n", "{abi}");
    }
}

#[test]
fn sim_batch_reads_calls_from_stdin() {
    let p = write_prog("cli-batch.bpf", &filter(Abi::X86_64), ByteOrder::Little);
    let mut child = bin()
        .args(["sim", p.to_str().unwrap(), "--abi", "x86_64", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"39\n110 5\n110 0x6 1 2 3 4 5\n\n257 0 0 0 0 0 0\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(
        stdout(&o),
        "0x7fff0000 5\n0x0005004d 8\n0x7fff0000 8\n0x00050026 6\n"
    );
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let good = write_prog("cli-ok.bpf", &filter(Abi::X86_64), ByteOrder::Little);
    let good = good.to_str().unwrap();
    let odd = write_bytes("cli-odd.bpf", &[0u8; 12]);
    let odd = odd.to_str().unwrap();
    let cases: &[&[&str]] = &[
        &[],
        &["frobnicate"],
        &["verify"],
        &["verify", "/nonexistent/file.bpf"],
        &["verify", odd],
        &["verify", good, "--abi", "vax"],
        &["verify", good, "--bogus", "1"],
        &["syscalls"],
        &["sim", good, "--abi", "x86_64"],
        &["sim", good, "--abi", "x86_64", "--syscall", "no_such_call"],
        &["sim", good, "--abi", "aarch64", "--syscall", "open"],
        &["sim", good, "--abi", "x86_64", "--nr", "12z"],
        &["sim", good, "--abi", "x86_64", "--nr", "4294967296"],
        &[
            "sim",
            good,
            "--abi",
            "x86_64",
            "--nr",
            "1",
            "--args",
            "1,2,3,4,5,6,7",
        ],
        &[
            "sim", good, "--abi", "x86_64", "--nr", "1", "--args", "1,,2",
        ],
        &["sim", good, "--abi", "x86_64", "--nr", "1", "--ip", "-"],
        &[
            "sim",
            good,
            "--abi",
            "x86_64",
            "--nr",
            "1",
            "--syscall",
            "read",
        ],
        &["sim", odd, "--abi", "x86_64", "--nr", "1"],
        &["sim", good, "--abi"],
    ];
    for args in cases {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(err.starts_with("seccomp-bpf: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        if !args.is_empty() && args[0] != "frobnicate" {
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        }
    }
    let mut child = bin()
        .args(["sim", good, "--abi", "x86_64", "--batch"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"39\nnope\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 2"));
}

#[test]
fn groups_lists_names_and_members_per_abi() {
    let o = run(&["groups"]);
    assert!(o.status.success());
    let text = stdout(&o);
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    for want in [
        "@default",
        "@basic-io",
        "@file-system",
        "@network-io",
        "@system-service",
    ] {
        assert!(names.contains(&want), "{want}");
    }
    assert!(names.iter().all(|n| n.starts_with('@')));

    let members = |group: &str, abi: &str| -> Vec<(String, u32)> {
        let o = run(&["groups", group, "--abi", abi]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
            .lines()
            .map(|l| {
                let (n, nr) = l.split_once('\t').unwrap();
                (n.to_string(), nr.parse().unwrap())
            })
            .collect()
    };
    let x86_64 = members("@basic-io", "x86_64");
    assert!(x86_64.contains(&("read".to_string(), 0)));
    assert!(
        !x86_64.iter().any(|(n, _)| n == "_llseek"),
        "x86_64 lacks _llseek"
    );
    let i386 = members("basic-io", "x86");
    assert!(i386.iter().any(|(n, _)| n == "_llseek"));
    let net = members("@network-io", "aarch64");
    assert!(net.contains(&("socket".to_string(), 198)));

    for bad in [
        &["groups", "@nope", "--abi", "x86_64"][..],
        &["groups", "@basic-io"],
    ] {
        let o = run(bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
    }
}

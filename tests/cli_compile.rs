//! `seccomp-bpf compile` and `seccomp-bpf stats` as a script would use
//! them: the filter they write is the library's, in every format, and bad
//! input is one line on stderr with exit status 2.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::{Command, Output};

use seccomp_bpf::bpf::{self, SockFilter, cache};
use seccomp_bpf::compile::MAX_LEN;
use seccomp_bpf::oci::{Options, Profile};
use seccomp_bpf::parse::parse_u64;
use seccomp_bpf::{Abi, Action, ByteOrder, SeccompData, Syscall, compile, syscall};

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

fn ok(args: &[&str]) -> Output {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    o
}

fn tmp(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

fn write(name: &str, text: &str) -> String {
    let path = tmp(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// A profile of our own: a default, an argument rule, a capability rule.
const PROFILE: &str = r#"{
  "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
  "syscalls": [
    {"names": ["read", "write", "getpid"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
    {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
    {"names": ["bpf"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}
  ]
}"#;

/// The library's filter for `json` with `opts`.
fn library(json: &str, opts: &Options, log_mode: bool) -> Vec<SockFilter> {
    let profile = Profile::from_json(json, opts).unwrap();
    let rules = profile.rules();
    let policy = rules.policy().log_mode(log_mode);
    compile::<MAX_LEN>(&policy).unwrap().to_vec()
}

fn read_raw(path: &str, order: ByteOrder) -> Vec<SockFilter> {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(bytes.len() % 8, 0);
    bytes
        .chunks_exact(8)
        .map(|c| SockFilter::from_bytes(c.try_into().unwrap(), order))
        .collect()
}

/// The instructions of `compile --format c` or `rust` output: the four
/// numbers of each initialiser line, whatever their spelling.
fn parse_source(text: &str) -> Vec<SockFilter> {
    text.lines()
        .filter(|l| l.trim_start().starts_with('{') || l.trim_start().starts_with("SockFilter {"))
        .map(|l| {
            let nums: Vec<u64> = l
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| w.starts_with(|c: char| c.is_ascii_digit()))
                .map(|w| parse_u64(w).unwrap())
                .collect();
            assert_eq!(nums.len(), 4, "{l}");
            SockFilter {
                code: nums[0] as u16,
                jt: nums[1] as u8,
                jf: nums[2] as u8,
                k: nums[3] as u32,
            }
        })
        .collect()
}

fn sim(file: &str, abi: &str, call: &str, args: &str) -> String {
    let o = ok(&["sim", file, "--abi", abi, "--syscall", call, "--args", args]);
    stdout(&o).split_whitespace().next().unwrap().to_string()
}

#[test]
fn raw_output_is_the_library_filter() {
    let profile = write("p_raw.json", PROFILE);
    let out = tmp("p_raw.bpf");
    let out = out.to_str().unwrap();
    let o = ok(&["compile", &profile, "--abi", "x86_64", "-o", out]);
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    let want = library(PROFILE, &Options::new().abis(&[Abi::X86_64]), false);
    assert_eq!(read_raw(out, ByteOrder::Little), want);
    let o = ok(&["verify", out, "--abi", "x86_64"]);
    assert_eq!(
        stdout(&o).split_whitespace().nth(1),
        Some(want.len().to_string().as_str())
    );
    assert_eq!(sim(out, "x86_64", "read", "0"), "action=ALLOW");
    assert_eq!(sim(out, "x86_64", "kill", "0"), "action=ERRNO(1)");
    assert_eq!(sim(out, "x86_64", "personality", "8"), "action=ALLOW");
    assert_eq!(sim(out, "x86_64", "personality", "9"), "action=ERRNO(38)");
    assert_eq!(sim(out, "x86_64", "bpf", "0"), "action=ERRNO(38)");
    // --format raw without -o writes the bytes to stdout.
    let o = ok(&["compile", &profile, "--abi", "x86_64", "--format", "raw"]);
    assert_eq!(o.stdout, std::fs::read(out).unwrap());
    // A big-endian first ABI: the bytes are big-endian.
    let be = tmp("p_raw_be.bpf");
    let be = be.to_str().unwrap();
    ok(&["compile", &profile, "--abi", "s390x,s390", "-o", be]);
    let want = library(
        PROFILE,
        &Options::new().abis(&[Abi::S390x, Abi::S390]),
        false,
    );
    assert_eq!(read_raw(be, ByteOrder::Big), want);
}

#[test]
fn caps_log_mode_and_the_profile_abis() {
    let profile = write("p_opts.json", PROFILE);
    let out = tmp("p_opts.bpf");
    let out = out.to_str().unwrap();
    ok(&[
        "compile",
        &profile,
        "--abi",
        "x86_64",
        "--caps",
        "CAP_SYS_ADMIN",
        "-o",
        out,
    ]);
    assert_eq!(sim(out, "x86_64", "bpf", "0"), "action=ALLOW");
    ok(&[
        "compile",
        &profile,
        "--abi",
        "x86_64",
        "--log-mode",
        "-o",
        out,
    ]);
    let want = library(PROFILE, &Options::new().abis(&[Abi::X86_64]), true);
    assert_eq!(read_raw(out, ByteOrder::Little), want);
    assert_eq!(sim(out, "x86_64", "read", "0"), "action=ALLOW");
    assert_eq!(sim(out, "x86_64", "kill", "0"), "action=LOG");
    assert_eq!(sim(out, "x86_64", "bpf", "0"), "action=LOG");
    // Without --abi: the profile's architectures.
    let arm = write(
        "p_arm.json",
        &PROFILE.replacen(
            '{',
            r#"{"architectures": ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],"#,
            1,
        ),
    );
    ok(&["compile", &arm, "-o", out]);
    let want = library(
        PROFILE,
        &Options::new().abis(&[Abi::Aarch64, Abi::Arm]),
        false,
    );
    assert_eq!(read_raw(out, ByteOrder::Little), want);
    assert_eq!(sim(out, "arm", "getpid", "0"), "action=ALLOW");
    // minKernel against --kernel.
    let k = write(
        "p_kernel.json",
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["getpid"],
            "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "6.2"}}]}"#,
    );
    ok(&[
        "compile", &k, "--abi", "x86_64", "--kernel", "6.1", "-o", out,
    ]);
    assert_eq!(sim(out, "x86_64", "getpid", "0"), "action=ERRNO(1)");
    ok(&[
        "compile", &k, "--abi", "x86_64", "--kernel", "6.2", "-o", out,
    ]);
    assert_eq!(sim(out, "x86_64", "getpid", "0"), "action=ALLOW");
    // Without --kernel, the running kernel's version.
    ok(&["compile", &k, "--abi", "x86_64", "-o", out]);
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let running = seccomp_bpf::oci::KernelVersion::from_release(release.trim()).unwrap();
    let want = if running >= seccomp_bpf::oci::KernelVersion::new(6, 2) {
        "action=ALLOW"
    } else {
        "action=ERRNO(1)"
    };
    assert_eq!(sim(out, "x86_64", "getpid", "0"), want);
}

#[test]
fn c_rust_and_disasm_formats_hold_the_same_filter() {
    let profile = write("p_fmt.json", PROFILE);
    let raw = tmp("p_fmt.bpf");
    let raw = raw.to_str().unwrap();
    ok(&["compile", &profile, "--abi", "x86_64,x86", "-o", raw]);
    let want = read_raw(raw, ByteOrder::Little);

    let c = stdout(&ok(&[
        "compile",
        &profile,
        "--abi",
        "x86_64,x86",
        "--format",
        "c",
    ]));
    assert!(c.contains("struct sock_filter filter[] = {"), "{c}");
    assert!(!c.contains("BPF_STMT") && !c.contains("BPF_JUMP"));
    assert_eq!(parse_source(&c), want);
    let c = stdout(&ok(&[
        "compile",
        &profile,
        "--abi",
        "x86_64,x86",
        "--format",
        "c",
        "--name",
        "podman_filter",
    ]));
    assert!(c.contains("struct sock_filter podman_filter[] = {"), "{c}");

    let rust = stdout(&ok(&[
        "compile",
        &profile,
        "--abi",
        "x86_64,x86",
        "--format",
        "rust",
    ]));
    let decl = format!("const FILTER: [SockFilter; {}] = [", want.len());
    assert!(rust.contains(&decl), "{rust}");
    assert!(rust.contains("use seccomp_bpf::bpf::SockFilter;"));
    assert_eq!(parse_source(&rust), want);

    // Default without -o: the disassembly, as `disasm` prints the raw file.
    let d = stdout(&ok(&["compile", &profile, "--abi", "x86_64,x86"]));
    assert_eq!(d, stdout(&ok(&["disasm", raw, "--abi", "x86_64"])));
    let d2 = stdout(&ok(&[
        "compile",
        &profile,
        "--abi",
        "x86_64,x86",
        "--format",
        "disasm",
    ]));
    assert_eq!(d, d2);
}

/// The C text compiles against the kernel's header, and the array it
/// defines is byte for byte the raw output.
#[test]
fn c_output_compiles_and_matches_raw() {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    if Command::new(&cc).arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "no C compiler under CI");
        println!("skipped: no C compiler");
        return;
    }
    let profile = write("p_cc.json", PROFILE);
    let raw = tmp("p_cc.bpf");
    let raw = raw.to_str().unwrap();
    ok(&["compile", &profile, "--abi", "x86_64", "-o", raw]);
    let c = stdout(&ok(&[
        "compile", &profile, "--abi", "x86_64", "--format", "c",
    ]));
    let src = format!(
        "#include <linux/filter.h>\n#include <stdio.h>\n{c}\nint main(void) {{\n\
         \tfwrite(filter, sizeof filter, 1, stdout);\n\treturn 0;\n}}\n"
    );
    let src_path = write("p_cc.c", &src);
    let exe = tmp("p_cc");
    let o = Command::new(&cc)
        .args(["-Wall", "-Werror", "-o"])
        .arg(&exe)
        .arg(&src_path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = Command::new(&exe).output().unwrap();
    assert_eq!(o.stdout, std::fs::read(raw).unwrap());
}

#[test]
fn podman_profile_compiles_and_strict_names_refuses_removed_calls() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let Some(path) = root
        .ancestors()
        .map(|d| d.join("shared/profiles/podman-default.json"))
        .find(|p| p.is_file())
    else {
        assert!(std::env::var_os("CI").is_none(), "podman profile not found");
        println!("skipped: shared/profiles/podman-default.json not found");
        return;
    };
    let path = path.to_str().unwrap();
    let o = run(&[
        "compile",
        path,
        "--abi",
        "x86_64",
        "--format",
        "raw",
        "--strict-names",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim_end(),
        format!(
            "seccomp-bpf: {path}: syscalls[0].names[0]: unknown system call \"bdflush\" \
             (no ABI has it)"
        )
    );
    let out = tmp("podman.bpf");
    let out = out.to_str().unwrap();
    let o = ok(&["compile", path, "--abi", "x86_64", "-o", out]);
    let warned: Vec<String> = stderr(&o).lines().map(str::to_string).collect();
    assert_eq!(warned.len(), 4, "{warned:?}");
    assert!(warned[0].ends_with("syscalls[0].names[0]: skipped unknown system call \"bdflush\""));
    let json = std::fs::read_to_string(path).unwrap();
    let want = library(
        &json,
        &Options::new().abis(&[Abi::X86_64]).skip_unknown(true),
        false,
    );
    assert_eq!(read_raw(out, ByteOrder::Little), want);
    assert_eq!(sim(out, "x86_64", "socket", "16,3,9"), "action=ERRNO(22)");
    assert_eq!(sim(out, "x86_64", "socket", "2,1,0"), "action=ALLOW");
    assert_eq!(sim(out, "x86_64", "kexec_load", "0"), "action=ERRNO(1)");
}

/// `stats` line for line: the numbers the library gives for the file.
#[test]
fn stats_reports_per_abi() {
    let profile = write("p_stats.json", PROFILE);
    let raw = tmp("p_stats.bpf");
    let raw = raw.to_str().unwrap();
    ok(&["compile", &profile, "--abi", "x86_64,x86,x32", "-o", raw]);
    let prog = read_raw(raw, ByteOrder::Little);
    let v = bpf::verify(&prog).unwrap();
    let o = ok(&["stats", raw, "--abi", "x86_64,x86,x32,mips"]);
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    let abis = [Abi::X86_64, Abi::X86, Abi::X32, Abi::Mips];
    assert_eq!(lines.len(), abis.len());
    for (line, abi) in lines.iter().zip(abis) {
        let table = syscall::table(abi);
        let runs: Vec<usize> = table
            .iter()
            .map(|&(nr, _)| {
                let d = SeccompData::new(nr as i32, abi.audit_arch(), [0; 6]);
                bpf::run(&prog, ByteOrder::Little, &d).unwrap().executed
            })
            .collect();
        let mean = runs.iter().sum::<usize>() as f64 / runs.len() as f64;
        let want = format!(
            "{} length={} charged={} executed_mean={mean:.2} executed_max={} cached={}/{}",
            abi.name(),
            prog.len(),
            v.charged,
            runs.iter().max().unwrap(),
            cache::cached_count(&prog, abi),
            table.len()
        );
        assert_eq!(*line, want);
    }
    // What the numbers say: read, write and getpid are cached on x86_64
    // and i386, never on x32 or MIPS.
    assert!(lines[0].ends_with(&format!("cached=3/{}", syscall::table(Abi::X86_64).len())));
    assert!(lines[1].contains("cached=3/"));
    assert!(lines[2].contains("cached=0/"));
    assert!(lines[3].contains("cached=0/"));
    // The filter covers i386 too.
    let getpid = Syscall::getpid.nr(Abi::X86).unwrap();
    let d = SeccompData::new(getpid as i32, Abi::X86.audit_arch(), [0; 6]);
    assert_eq!(
        bpf::run(&prog, ByteOrder::Little, &d).unwrap().action(),
        Action::Allow
    );
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let profile = write("p_bad.json", PROFILE);
    let bad_json = write("p_bad_json.json", "{\"defaultAction\": }");
    let bad_op = write(
        "p_bad_op.json",
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"],
            "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_FOO"}]}]}"#,
    );
    let wide = write(
        "p_wide.json",
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["write", "close"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 1, "value": 4294967296, "op": "SCMP_CMP_EQ"}]}]}"#,
    );
    let min_kernel = write(
        "p_mk.json",
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"],
            "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "6.x"}}]}"#,
    );
    let odd = write("p_odd.bpf", "1234567");
    let invalid = tmp("p_invalid.bpf");
    std::fs::write(&invalid, bpf::ld_abs(0).to_bytes(ByteOrder::Little)).unwrap();
    let invalid = invalid.to_str().unwrap();
    let missing = tmp("p_missing.json");
    let missing = missing.to_str().unwrap();
    let cases: Vec<(Vec<&str>, String)> = vec![
        (vec!["compile"], "a FILE argument is required".into()),
        (
            vec!["compile", missing, "--abi", "x86_64"],
            format!("{missing}: "),
        ),
        (
            vec!["compile", &profile, "--abi", "vax"],
            "unknown ABI `vax`".into(),
        ),
        (
            vec!["compile", &profile, "--abi", "x86_64,amd64"],
            "x86_64 given twice".into(),
        ),
        (
            vec!["compile", &profile, "--abi", "x86_64", "--format", "elf"],
            "--format elf".into(),
        ),
        (
            vec![
                "compile", &profile, "--abi", "x86_64", "--format", "c", "--name", "1x",
            ],
            "--name 1x".into(),
        ),
        (
            vec!["compile", &profile, "--abi", "x86_64", "--name", "x"],
            "--name is for".into(),
        ),
        (
            vec![
                "compile",
                &profile,
                "--abi",
                "x86_64",
                "--caps",
                "CAP_SYS_ADMIN,",
            ],
            "--caps".into(),
        ),
        (
            vec!["compile", &profile, "--abi", "x86_64", "--kernel", "6"],
            "--kernel 6".into(),
        ),
        (
            vec!["compile", &profile, "--abi", "x86_64", "--bogus", "1"],
            "unknown option `--bogus`".into(),
        ),
        (
            vec!["compile", &profile, "--abi", "x86_64", "-o"],
            "--output needs a value".into(),
        ),
        (
            vec!["compile", &bad_json, "--abi", "x86_64"],
            format!("{bad_json}: invalid JSON: "),
        ),
        (
            vec!["compile", &bad_op, "--abi", "x86_64"],
            format!("{bad_op}: syscalls[0].args[0].op: unknown operator \"SCMP_CMP_FOO\""),
        ),
        (
            vec!["compile", &wide, "--abi", "x86_64,x86"],
            format!("{wide}: syscalls[1].names[0]: a condition compares 32 bits"),
        ),
        (
            vec!["compile", &min_kernel, "--abi", "x86_64"],
            format!("{min_kernel}: syscalls[0].excludes.minKernel: kernel version \"6.x\""),
        ),
        (
            vec!["stats", &profile],
            "--abi ABI[,ABI...] is required".into(),
        ),
        (
            vec!["stats", &odd, "--abi", "x86_64"],
            "not a multiple of 8".into(),
        ),
        (
            vec!["stats", invalid, "--abi", "x86_64"],
            format!("{invalid}: not a valid filter"),
        ),
        (
            vec!["stats", invalid, "--abi", "x86_64,vax"],
            "unknown ABI `vax`".into(),
        ),
    ];
    for (args, want) in cases {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("seccomp-bpf: "), "{err}");
        assert!(err.contains(&want), "{args:?}: {err} lacks {want}");
    }
}

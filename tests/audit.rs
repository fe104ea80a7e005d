//! The audit of filters: our own compiled policies have no errors,
//! hand-written broken filters give each finding (with its exact line), a
//! filter exported by libseccomp audits without errors, and no program that
//! passes `verify` makes the audit panic.

mod podman;

use std::path::PathBuf;
use std::process::Command;

use seccomp_bpf::audit::{AuditError, Detail, Kind, audit};
use seccomp_bpf::bpf::{self, SockFilter, op};
use seccomp_bpf::policy::{Cond, Policy, Rule};
use seccomp_bpf::{Abi, Action, ByteOrder, Filter, Syscall, compile, data};

const X86_64_ARCH: u32 = 0xC000_003E;
const ALLOW: u32 = 0x7fff_0000;
const KILL: u32 = 0x8000_0000;
const ENOSYS: u32 = 0x0005_0026;
const EPERM: u32 = 0x0005_0001;

fn lines(prog: &[SockFilter], abis: &[Abi]) -> Vec<String> {
    let r = audit(prog, abis).unwrap();
    r.findings().iter().map(|f| f.to_string()).collect()
}

fn kinds(prog: &[SockFilter], abis: &[Abi]) -> Vec<Kind> {
    let r = audit(prog, abis).unwrap();
    r.findings().iter().map(|f| f.kind()).collect()
}

/// `ld arch; jeq X86_64 else kill; ld nr; <body>`.
fn x86_64(body: &[SockFilter]) -> Vec<SockFilter> {
    let mut p = vec![
        bpf::ld_abs(data::ARCH),
        bpf::jeq_k(X86_64_ARCH, 1, 0),
        bpf::ret_k(KILL),
        bpf::ld_abs(data::NR),
    ];
    p.extend_from_slice(body);
    p
}

#[test]
fn compiled_podman_has_no_errors() {
    const X86_64: Filter<512> = Filter::new_or_panic(&podman::X86_64);
    const ARM: Filter<1024> = Filter::new_or_panic(&podman::ARM_FAMILY);
    for (prog, abis) in [
        (&X86_64[..], &[Abi::X86_64][..]),
        (&ARM[..], &[Abi::Aarch64, Abi::Arm][..]),
    ] {
        let r = audit(prog, abis).unwrap();
        let text: Vec<String> = r.findings().iter().map(|f| f.to_string()).collect();
        assert_eq!(r.errors(), 0, "{abis:?}: {text:#?}");
        // podman's default is ENOSYS and it allows nothing by default.
        assert!(
            !r.has(Kind::DefaultAllow) && !r.has(Kind::EpermDefault),
            "{text:#?}"
        );
    }
}

#[test]
fn compiled_podman_x86_family_has_no_errors() {
    const X86: Filter<1024> = Filter::new_or_panic(&podman::X86_FAMILY);
    let text = lines(&X86, &[Abi::X86_64, Abi::X86, Abi::X32]);
    assert!(text.is_empty(), "{text:#?}");
}

#[test]
fn compiled_policies_on_every_abi_have_no_errors() {
    const C: [Cond; 1] = [Cond::eq(0, 16)];
    const RULES: [Rule; 4] = [
        Rule::new(Syscall::read, Action::Allow),
        Rule::new(Syscall::write, Action::Allow),
        Rule::when(Syscall::socket, &C, Action::Errno(22)),
        Rule::new(Syscall::socket, Action::Allow),
    ];
    for &abi in Abi::ALL {
        let abis = [abi];
        let p = Policy::new(Action::Errno(38), &abis, &RULES);
        let f: Filter<256> = compile(&p).unwrap();
        let r = audit(&f, &abis).unwrap();
        let text: Vec<String> = r.findings().iter().map(|f| f.to_string()).collect();
        assert_eq!(r.errors(), 0, "{abi}: {text:#?}");
        // A default ALLOW is found wherever the compiler puts it.
        let p = Policy::new(Action::Allow, &abis, &RULES[2..3]);
        let f: Filter<256> = compile(&p).unwrap();
        let r = audit(&f, &abis).unwrap();
        assert!(r.has(Kind::DefaultAllow), "{abi}");
        assert_eq!(r.errors(), 0, "{abi}");
    }
}

#[test]
fn missing_arch_check() {
    let prog = [
        bpf::ld_abs(data::NR),
        bpf::jeq_k(59, 0, 1),
        bpf::ret_k(KILL),
        bpf::ret_k(ENOSYS),
    ];
    assert_eq!(
        lines(&prog, &[Abi::X86_64]),
        ["error arch pc 1: nr is tested before arch is checked"]
    );
    // RET A of a value computed from nr is a decision on nr too.
    let prog = [bpf::ld_abs(data::NR), bpf::or_k(0x0005_0000), bpf::ret_a()];
    assert_eq!(
        lines(&prog, &[Abi::X86_64]),
        ["error arch pc 2: nr is tested before arch is checked"]
    );
    // A check for inequality only is not a check.
    let prog = [
        bpf::ld_abs(data::ARCH),
        bpf::jeq_k(0x4000_0003, 0, 1),
        bpf::ret_k(KILL),
        bpf::ld_abs(data::NR),
        bpf::jeq_k(59, 0, 1),
        bpf::ret_k(KILL),
        bpf::ret_k(ENOSYS),
    ];
    assert_eq!(kinds(&prog, &[Abi::X86_64]), [Kind::Arch]);
}

#[test]
fn wrong_arch_check() {
    let prog = [
        bpf::ld_abs(data::ARCH),
        bpf::jeq_k(Abi::X86.audit_arch(), 1, 0),
        bpf::ret_k(KILL),
        bpf::ld_abs(data::NR),
        bpf::jeq_k(11, 0, 1),
        bpf::ret_k(ALLOW),
        bpf::ret_k(ENOSYS),
    ];
    assert_eq!(
        lines(&prog, &[Abi::X86_64]),
        ["error arch pc 4: nr is tested on arch 0x40000003 (x86), which is not among the ABIs"]
    );
    // The same program is right for i386.
    assert_eq!(lines(&prog, &[Abi::X86]), Vec::<String>::new());
}

#[test]
fn missing_x32_guard() {
    // A deny list on x86_64 without `nr >= 0x40000000 -> kill`.
    let prog = x86_64(&[bpf::jeq_k(101, 0, 1), bpf::ret_k(KILL), bpf::ret_k(ALLOW)]);
    assert_eq!(
        lines(&prog, &[Abi::X86_64]),
        [
            "error x32 pc 6: ALLOW on x86_64's arch for x32 numbers (e.g. 0x40000000); \
             x32 is not among the ABIs",
            "warning default-allow pc 6: ALLOW for numbers no x86_64 system call has (e.g. 0x86)",
        ]
    );
    // With x32 among the ABIs, its numbers are meant to get there.
    assert_eq!(kinds(&prog, &[Abi::X86_64, Abi::X32]), [Kind::DefaultAllow]);
    // With the guard, only the default ALLOW is left.
    let prog = x86_64(&[
        bpf::jge_k(0x4000_0000, 3, 0),
        bpf::jeq_k(101, 1, 0),
        bpf::ret_k(ALLOW),
        bpf::ret_k(KILL),
        bpf::ret_k(KILL),
    ]);
    assert_eq!(kinds(&prog, &[Abi::X86_64]), [Kind::DefaultAllow]);
    // A range test that lets x32 numbers through, allowing "new" calls.
    let prog = x86_64(&[bpf::jge_k(435, 1, 0), bpf::ret_k(ENOSYS), bpf::ret_k(ALLOW)]);
    let r = audit(&prog, &[Abi::X86_64]).unwrap();
    assert_eq!(
        r.findings()[0].detail,
        Detail::X32 {
            ret: ALLOW,
            nr: 0x4000_0000
        }
    );
    // 0xffffffff (a call a tracer skipped) is not an x32 number.
    let prog = x86_64(&[
        bpf::jge_k(0x4000_0000, 0, 2),
        bpf::jeq_k(u32::MAX, 0, 2),
        bpf::ret_k(ALLOW),
        bpf::ret_k(ENOSYS),
        bpf::ret_k(KILL),
    ]);
    assert!(!audit(&prog, &[Abi::X86_64]).unwrap().has(Kind::X32));
}

#[test]
fn unreachable_instructions() {
    let prog = x86_64(&[
        bpf::jge_k(0x4000_0000, 3, 0),
        bpf::jeq_k(39, 0, 1),
        bpf::ret_k(ALLOW),
        bpf::ret_k(ENOSYS),
        bpf::ret_k(KILL),
        bpf::ret_k(ALLOW),
        bpf::ret_k(EPERM),
    ]);
    assert_eq!(
        lines(&prog, &[Abi::X86_64]),
        ["error unreachable pc 9-10: no path reaches these instructions"]
    );
}

#[test]
fn default_allow_and_eperm_default() {
    // A JEQ list that falls back to EPERM.
    let prog = x86_64(&[
        bpf::jge_k(0x4000_0000, 3, 0),
        bpf::jeq_k(39, 1, 0),
        bpf::ret_k(EPERM),
        bpf::ret_k(ALLOW),
        bpf::ret_k(KILL),
    ]);
    assert_eq!(
        lines(&prog, &[Abi::X86_64]),
        [
            "warning eperm-default pc 6: ERRNO(1) for numbers no x86_64 system call has \
          (e.g. 0x86); ENOSYS would let libc fall back"
        ]
    );
    // EPERM for known calls only is fine, and so is ENOSYS as the default.
    let prog = x86_64(&[bpf::jeq_k(165, 0, 1), bpf::ret_k(EPERM), bpf::ret_k(ENOSYS)]);
    assert_eq!(lines(&prog, &[Abi::X86_64]), Vec::<String>::new());
    // A range of allowed numbers that spans a gap of the table (x86_64
    // has nothing at 335..=423 but uretprobe at 335).
    let prog = x86_64(&[
        bpf::jge_k(300, 0, 2),
        bpf::jgt_k(430, 1, 0),
        bpf::ret_k(ALLOW),
        bpf::ret_k(ENOSYS),
    ]);
    let r = audit(&prog, &[Abi::X86_64]).unwrap();
    let [f] = r.findings() else {
        panic!("{:?}", r.findings())
    };
    let Detail::DefaultAllow {
        abi: Abi::X86_64,
        nr,
    } = f.detail
    else {
        panic!("{f}")
    };
    assert!((300..=430).contains(&nr) && Syscall::from_nr(Abi::X86_64, nr).is_none());
    // Gaps sent elsewhere one by one do not count: arm has a few below 20.
    let gaps: Vec<u32> = (0..=20)
        .filter(|&n| Syscall::from_nr(Abi::Arm, n).is_none())
        .collect();
    assert!(!gaps.is_empty() && gaps.len() <= 8, "{gaps:?}");
    let mut prog = vec![
        bpf::ld_abs(data::ARCH),
        bpf::jeq_k(Abi::Arm.audit_arch(), 1, 0),
        bpf::ret_k(KILL),
        bpf::ld_abs(data::NR),
    ];
    let n = gaps.len();
    for (i, &g) in gaps.iter().enumerate() {
        // To the ENOSYS after the range test.
        prog.push(bpf::jeq_k(g, (n - i + 1) as u8, 0));
    }
    prog.push(bpf::jgt_k(20, 1, 0));
    prog.push(bpf::ret_k(ALLOW));
    prog.push(bpf::ret_k(ENOSYS));
    assert_eq!(lines(&prog, &[Abi::Arm]), Vec::<String>::new());
}

#[test]
fn redundant_tests() {
    // The second test of the same number can never hold.
    let prog = x86_64(&[
        bpf::jge_k(0x4000_0000, 4, 0),
        bpf::jeq_k(39, 2, 0),
        bpf::jeq_k(39, 1, 0),
        bpf::ret_k(ENOSYS),
        bpf::ret_k(ALLOW),
        bpf::ret_k(KILL),
    ]);
    assert_eq!(
        lines(&prog, &[Abi::X86_64]),
        ["warning redundant pc 6: always false here; the branch to pc 8 is never taken"]
    );
    // Arch checked twice; a range test implied by an earlier one; both
    // branches to the same place.
    let prog = [
        bpf::ld_abs(data::ARCH),
        bpf::jeq_k(X86_64_ARCH, 1, 0),
        bpf::ret_k(KILL),
        bpf::ld_abs(data::ARCH),
        bpf::jeq_k(X86_64_ARCH, 1, 0),
        bpf::ret_k(KILL),
        bpf::ld_abs(data::NR),
        bpf::jge_k(0x4000_0000, 4, 0),
        bpf::jgt_k(0x5000_0000, 3, 0),
        bpf::jeq_k(39, 0, 0),
        bpf::jeq_k(39, 0, 1),
        bpf::ret_k(ALLOW),
        bpf::ret_k(ENOSYS),
    ];
    assert_eq!(
        lines(&prog, &[Abi::X86_64]),
        [
            "warning redundant pc 4: always true here; the branch to pc 5 is never taken",
            "warning redundant pc 8: always false here; the branch to pc 12 is never taken",
            "warning redundant pc 9: both branches go to pc 10",
        ]
    );
    // A test that is fixed on each path but differently is not redundant:
    // a block shared by two calls.
    let prog = x86_64(&[
        bpf::jeq_k(39, 1, 0),
        bpf::jeq_k(110, 0, 2),
        bpf::jeq_k(39, 0, 1),
        bpf::ret_k(ALLOW),
        bpf::ret_k(ENOSYS),
    ]);
    assert!(!audit(&prog, &[Abi::X86_64]).unwrap().has(Kind::Redundant));
}

#[test]
fn arguments_are_followed_through_registers_and_memory() {
    let order = ByteOrder::Little;
    // nr kept in M[0] and reloaded through X: still a test on nr.
    let prog = [
        bpf::ld_abs(data::NR),
        bpf::st(0),
        bpf::ld_abs(data::arg_lo(0, order)),
        bpf::ldx_mem(0),
        bpf::txa(),
        bpf::jeq_k(59, 0, 1),
        bpf::ret_k(KILL),
        bpf::ret_k(ENOSYS),
    ];
    assert_eq!(kinds(&prog, &[Abi::X86_64]), [Kind::Arch]);
    // An argument test after the arch check is no decision on nr.
    let prog = x86_64(&[
        bpf::jge_k(0x4000_0000, 5, 0),
        bpf::jeq_k(1, 0, 3),
        bpf::ld_abs(data::arg_lo(0, order)),
        bpf::jeq_k(2, 0, 1),
        bpf::ret_k(ALLOW),
        bpf::ret_k(ENOSYS),
        bpf::ret_k(KILL),
    ]);
    assert_eq!(lines(&prog, &[Abi::X86_64]), Vec::<String>::new());
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    assert_eq!(
        audit(&[bpf::ret_k(ALLOW)], &[]).unwrap_err(),
        AuditError::NoAbi
    );
    assert_eq!(
        audit(&[bpf::ret_k(ALLOW)], &[Abi::X86_64, Abi::S390x]).unwrap_err(),
        AuditError::MixedByteOrder
    );
    assert!(matches!(
        audit(&[bpf::ld_abs(0)], &[Abi::X86_64]),
        Err(AuditError::Invalid(_))
    ));
}

#[test]
fn too_many_paths_is_reported() {
    // Each test keeps a path per number seen so far: quadratic work.
    let mut prog = vec![bpf::ld_abs(data::NR)];
    for i in 0..4000 {
        prog.push(bpf::jeq_k(i, 0, 0));
    }
    prog.push(bpf::ret_k(ENOSYS));
    let r = audit(&prog, &[Abi::X86_64]).unwrap();
    assert!(r.has(Kind::Incomplete));
    assert!(
        r.findings()[0]
            .to_string()
            .starts_with("error incomplete pc 0: ")
    );
    assert!(r.dropped() > 0, "4000 same-target jumps fill the report");
}

/// Programs made of every opcode seccomp accepts, with jumps in range:
/// those that pass `verify` never make the audit panic.
#[test]
fn arbitrary_valid_programs_never_panic() {
    let codes = op::SECCOMP_OPCODES;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut audited = 0;
    for _ in 0..20_000 {
        let len = (next() % 24 + 2) as usize;
        let mut prog = Vec::with_capacity(len);
        for pc in 0..len {
            let r = next();
            let code = codes[(r % codes.len() as u64) as usize];
            let room = (len - pc - 1).min(255) as u64;
            let (jt, jf) = if room == 0 {
                (0, 0)
            } else {
                (((r >> 16) % room) as u8, ((r >> 24) % room) as u8)
            };
            let k = match r >> 40 & 3 {
                0 => ((r >> 32) as u32 % 16) * 4,
                1 => X86_64_ARCH,
                2 => (r >> 32) as u32 % 500,
                _ => (r >> 32) as u32,
            };
            prog.push(SockFilter { code, jt, jf, k });
        }
        prog.push(bpf::ret_k(ALLOW));
        if bpf::verify(&prog).is_ok() {
            let r = audit(&prog, &[Abi::X86_64, Abi::X86]).unwrap();
            for f in r.findings() {
                assert!(!f.to_string().is_empty());
            }
            audited += 1;
        }
    }
    assert!(audited > 1000, "only {audited} programs passed verify");
}

/// A C program that exports libseccomp filters, built with the system's
/// compiler; `None` (and a message) when that cannot be done here.
fn libseccomp_exporter() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let src = dir.join("audit-libseccomp.c");
    let bin = dir.join("audit-libseccomp");
    std::fs::write(&src, LIBSECCOMP_C).ok()?;
    let built = Command::new("cc")
        .arg(&src)
        .args(["-O", "-o"])
        .arg(&bin)
        .arg("-lseccomp")
        .status();
    match built {
        Ok(s) if s.success() => Some(bin),
        _ => {
            println!("skipped: cannot build a libseccomp program (cc, seccomp.h, -lseccomp)");
            None
        }
    }
}

const LIBSECCOMP_C: &str = r#"
#include <seccomp.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
/* usage: prog allow|deny OUT [arch...]: exports a filter to OUT */
int main(int argc, char **argv) {
    if (argc < 3) return 2;
    int deny = strcmp(argv[1], "deny") == 0;
    scmp_filter_ctx ctx = seccomp_init(deny ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(ENOSYS));
    if (!ctx) return 3;
    for (int i = 3; i < argc; i++) {
        uint32_t a = seccomp_arch_resolve_name(argv[i]);
        if (!a) return 4;
        int rc = seccomp_arch_add(ctx, a);
        if (rc < 0 && rc != -EEXIST) return 4;
    }
    if (deny) {
        if (seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(ptrace), 0)) return 5;
        if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mount), 0)) return 5;
        if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
                             SCMP_A0(SCMP_CMP_EQ, 16))) return 5;
    } else {
        const int calls[] = { SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(exit_group),
                              SCMP_SYS(openat), SCMP_SYS(close), SCMP_SYS(mmap),
                              SCMP_SYS(brk), SCMP_SYS(clone3) };
        for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++)
            if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0)) return 5;
        if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
                             SCMP_A0(SCMP_CMP_EQ, 1), SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, 1))) return 5;
        if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
                             SCMP_A0(SCMP_CMP_EQ, 2))) return 5;
        if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(personality), 1,
                             SCMP_A0(SCMP_CMP_GT, 8))) return 5;
    }
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 6;
    if (seccomp_export_bpf(ctx, fd) < 0) return 7;
    close(fd);
    seccomp_release(ctx);
    return 0;
}
"#;

#[test]
fn libseccomp_filters_have_no_errors() {
    let Some(bin) = libseccomp_exporter() else {
        return;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    for (mode, arches, abis) in [
        ("allow", &[][..], &[Abi::X86_64][..]),
        ("deny", &[], &[Abi::X86_64]),
        ("allow", &["x86", "x32"], &[Abi::X86_64, Abi::X86, Abi::X32]),
        ("deny", &["x86", "x32"], &[Abi::X86_64, Abi::X86, Abi::X32]),
        ("allow", &["x86"], &[Abi::X86_64, Abi::X86]),
    ] {
        let out = dir.join(format!("libseccomp-{mode}-{}.bpf", arches.join("-")));
        let status = Command::new(&bin)
            .arg(mode)
            .arg(&out)
            .args(arches)
            .status()
            .unwrap();
        assert!(status.success(), "{mode} {arches:?}: {status}");
        let bytes = std::fs::read(&out).unwrap();
        let prog: Vec<SockFilter> = bytes
            .chunks_exact(8)
            .map(|c| SockFilter::from_bytes(c.try_into().unwrap(), ByteOrder::NATIVE))
            .collect();
        let r = audit(&prog, abis).unwrap();
        let text: Vec<String> = r.findings().iter().map(|f| f.to_string()).collect();
        assert_eq!(r.errors(), 0, "{mode} {arches:?}: {text:#?}");
        // A deny list allows what it does not name; an allow list does not.
        assert_eq!(r.has(Kind::DefaultAllow), mode == "deny", "{text:#?}");
        // Auditing it for fewer ABIs than it handles is an arch error.
        if abis.len() > 1 {
            let r = audit(&prog, &abis[..1]).unwrap();
            assert!(r.has(Kind::Arch), "{mode} {arches:?}");
        }
    }
}

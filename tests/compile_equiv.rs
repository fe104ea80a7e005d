//! The reference evaluator and the compiled filter agree: every table
//! number of every ABI, numbers outside the tables, arguments around every
//! constant, calls through ABIs in and out of the policy; random policies
//! with proptest; precedence; far jumps; small stacks.

mod podman;

use proptest::prelude::*;
use seccomp_bpf::abi::{ARM_PRIVATE_BASE, X32_SYSCALL_BIT};
use seccomp_bpf::bpf::{self, SockFilter};
use seccomp_bpf::policy::{Cmp, Cond, OnMissing, Policy, Rule, Target, Width};
use seccomp_bpf::{Abi, Action, CompileError, Filter, SeccompData, Syscall, compile, syscall};

/// Numbers to try on `abi`: its table, small numbers, the edges of its
/// base, of the x32 bit and of the u32 range.
fn numbers(abi: Abi) -> Vec<u32> {
    let mut v: Vec<u32> = syscall::table(abi).iter().map(|e| e.0).collect();
    v.extend(0..600);
    let base = abi.syscall_base();
    v.extend(base.saturating_sub(2)..base + 1100);
    for edge in [X32_SYSCALL_BIT, ARM_PRIVATE_BASE, 0x8000_0000, u32::MAX] {
        v.extend(edge.saturating_sub(3)..=edge.saturating_add(3).max(edge));
    }
    v.extend(ARM_PRIVATE_BASE..ARM_PRIVATE_BASE + 10);
    v.sort_unstable();
    v.dedup();
    v
}

/// Every constant of the rules that can apply to `nr` on `abi`.
fn constants(p: &Policy, abi: Abi, nr: u32) -> Vec<(u8, u64)> {
    let mut out = Vec::new();
    for (i, r) in p.rules().iter().enumerate() {
        if r.nr_on(i, abi) != Ok(Some(nr)) {
            continue;
        }
        for c in r.conds {
            let vals: Vec<u64> = match c.cmp {
                Cmp::Eq(v) | Cmp::Ne(v) | Cmp::Lt(v) | Cmp::Le(v) | Cmp::Gt(v) | Cmp::Ge(v) => {
                    vec![v]
                }
                Cmp::AllSet(v) | Cmp::NoneSet(v) => vec![v, !v, v & v.wrapping_sub(1)],
                Cmp::MaskedEq { mask, value } => {
                    vec![value, value | !mask, value ^ (mask & mask.wrapping_neg())]
                }
                Cmp::InRange { lo, hi } => vec![lo, hi],
                Cmp::AnyOf(vs) => vs.to_vec(),
            };
            out.extend(vals.into_iter().map(|v| (c.arg, v)));
        }
    }
    out
}

/// Argument vectors around the constants: c - 1, c, c + 1, and the same
/// low word under other high words (and the reverse).
fn arg_sets(p: &Policy, abi: Abi, nr: u32) -> Vec<[u64; 6]> {
    let mut sets = vec![[0u64; 6], [u64::MAX; 6]];
    let consts = constants(p, abi, nr);
    for &(arg, c) in &consts {
        let i = arg as usize;
        for v in [
            c.wrapping_sub(1),
            c,
            c.wrapping_add(1),
            c ^ 0xffff_ffff_0000_0000,
            c ^ 0x1_0000_0000,
            c & 0xffff_ffff,
            c | 0xffff_ffff_0000_0000,
            c ^ 0xffff_ffff,
            c.wrapping_sub(0x1_0000_0000),
            c.wrapping_add(0x1_0000_0000),
        ] {
            let mut a = [0u64; 6];
            a[i] = v;
            sets.push(a);
            // With the other constants of the same call in place too.
            let mut b = a;
            for &(arg2, c2) in &consts {
                if arg2 != arg {
                    b[arg2 as usize] = c2;
                }
            }
            sets.push(b);
        }
    }
    sets
}

/// Checks filter against policy for every ABI in it and a few not in it;
/// returns the number of calls compared.
fn agree(p: &Policy, prog: &[SockFilter], foreign: &[Abi]) -> usize {
    bpf::verify(prog).unwrap();
    let mut abis: Vec<Abi> = p.abis().to_vec();
    abis.extend_from_slice(foreign);
    let mut n = 0;
    for &abi in &abis {
        for nr in numbers(abi) {
            for args in arg_sets(p, abi, nr) {
                let want = p.evaluate(abi, nr, &args).unwrap();
                let data = SeccompData::new(nr as i32, abi.audit_arch(), args);
                let got = bpf::run(prog, abi.byte_order(), &data).unwrap();
                assert_eq!(
                    Action::from_ret(got.ret),
                    want,
                    "{abi} nr {nr:#x} args {args:x?}"
                );
                n += 1;
            }
        }
    }
    n
}

#[test]
fn podman_agrees_on_every_abi() {
    let x86: Filter<512> = compile(&podman::X86_64).unwrap();
    agree(&podman::X86_64, &x86, &[Abi::X86, Abi::X32, Abi::Aarch64]);
    let fam: Filter<1024> = compile(&podman::X86_FAMILY).unwrap();
    agree(&podman::X86_FAMILY, &fam, &[Abi::Riscv64]);
    let arm: Filter<1024> = compile(&podman::ARM_FAMILY).unwrap();
    agree(&podman::ARM_FAMILY, &arm, &[Abi::X86_64, Abi::Ppc64le]);
}

#[test]
fn podman_big_endian_and_log_mode() {
    let abis = [Abi::S390x, Abi::S390, Abi::Mips64, Abi::Ppc64];
    let p = podman::X86_64.with_abis(&abis);
    let f: Filter<2048> = compile(&p).unwrap();
    agree(&p, &f, &[Abi::X86_64]);
    let p = podman::X86_64
        .with_abis(&[Abi::X86_64, Abi::X32])
        .log_mode(true)
        .bad_arch(Action::Trap(9));
    let f: Filter<1024> = compile(&p).unwrap();
    agree(&p, &f, &[Abi::X86]);
}

#[test]
fn only_x32() {
    let p = podman::X86_64
        .with_abis(&[Abi::X32])
        .bad_arch(Action::Errno(1));
    let f: Filter<1024> = compile(&p).unwrap();
    agree(&p, &f, &[Abi::X86_64]);
    // An x86_64 number gets the bad-arch action.
    let data = SeccompData::new(1, Abi::X86_64.audit_arch(), [0; 6]);
    let out = bpf::run(&f, Abi::X86_64.byte_order(), &data).unwrap();
    assert_eq!(Action::from_ret(out.ret), Action::Errno(1));
}

#[test]
fn overlapping_rules_follow_precedence() {
    const A1: [Cond; 1] = [Cond::gt(0, 10)];
    const A2: [Cond; 1] = [Cond::gt(0, 20)];
    const A3: [Cond; 1] = [Cond::gt(0, 30)];
    const A4: [Cond; 1] = [Cond::eq(1, 7)];
    const RULES: [Rule; 7] = [
        Rule::when(Syscall::ioctl, &A1, Action::Log),
        Rule::when(Syscall::ioctl, &A2, Action::Errno(2)),
        Rule::when(Syscall::ioctl, &A4, Action::Errno(1)),
        Rule::when(Syscall::ioctl, &A3, Action::KillThread),
        Rule::new(Syscall::ioctl, Action::Allow),
        Rule::when(Syscall::read, &A1, Action::Trace(3)),
        Rule::when(Syscall::read, &A2, Action::UserNotif),
    ];
    let p = Policy::new(Action::Errno(38), &[Abi::X86_64, Abi::Aarch64], &RULES);
    let f: Filter<256> = compile(&p).unwrap();
    agree(&p, &f, &[]);
    let ioctl = Syscall::ioctl.nr(Abi::X86_64).unwrap();
    let run = |args: [u64; 6]| {
        let d = SeccompData::new(ioctl as i32, Abi::X86_64.audit_arch(), args);
        Action::from_ret(bpf::run(&f, Abi::X86_64.byte_order(), &d).unwrap().ret)
    };
    assert_eq!(run([5, 0, 0, 0, 0, 0]), Action::Allow);
    assert_eq!(run([15, 0, 0, 0, 0, 0]), Action::Log);
    assert_eq!(run([25, 0, 0, 0, 0, 0]), Action::Errno(2));
    // Both ERRNO rules match: the first written wins.
    assert_eq!(run([25, 7, 0, 0, 0, 0]), Action::Errno(2));
    assert_eq!(run([5, 7, 0, 0, 0, 0]), Action::Errno(1));
    assert_eq!(run([35, 7, 0, 0, 0, 0]), Action::KillThread);
}

/// A policy whose program is far longer than 255 instructions: jumps to
/// the shared RETs must go through copies or JAs, never a cut offset.
#[test]
fn far_jumps_are_never_truncated() {
    let conds: Vec<[Cond; 2]> = (0..90u64)
        .map(|i| [Cond::eq(0, i * 3 + 1), Cond::in_range(1, i, i * 1000 + 5)])
        .collect();
    let rules: Vec<Rule> = syscall::table(Abi::X86_64)
        .iter()
        .zip(&conds)
        .enumerate()
        .map(|(i, (&(_, call), c))| {
            let action = [
                Action::Allow,
                Action::Errno(5),
                Action::Trap(1),
                Action::Log,
            ][i % 4];
            Rule::when(call, c, action)
        })
        .collect();
    let p = Policy::new(Action::KillProcess, &[Abi::X86_64, Abi::X86], &rules)
        .bad_arch(Action::Errno(99));
    let f: Filter<4096> = compile(&p).unwrap();
    assert!(f.len() > 1000, "only {} instructions", f.len());
    agree(&p, &f, &[Abi::Arm]);
    // Some jumps needed help.
    let has_ja = f.iter().any(|i| i.code == bpf::op::JMP | bpf::op::JA);
    let rets = f
        .iter()
        .filter(|i| i.code == bpf::op::RET | bpf::op::K)
        .count();
    assert!(has_ja || rets > 8, "no JA and {rets} RETs");
}

#[test]
fn compiles_on_a_64k_stack() {
    let h = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(|| {
            let f = compile::<400>(&podman::X86_FAMILY).unwrap();
            f.len()
        })
        .unwrap();
    let len = h.join().unwrap();
    let f: Filter<1024> = compile(&podman::X86_FAMILY).unwrap();
    assert_eq!(len, f.len());
}

#[test]
fn capacity_error_says_what_is_enough() {
    let exact = compile::<1024>(&podman::X86_FAMILY).unwrap().len();
    for cap in [0usize, 3, 50, exact - 1] {
        let err = match cap {
            0 => compile::<0>(&podman::X86_FAMILY).unwrap_err(),
            3 => compile::<3>(&podman::X86_FAMILY).unwrap_err(),
            50 => compile::<50>(&podman::X86_FAMILY).unwrap_err(),
            _ => compile::<274>(&podman::X86_FAMILY).unwrap_err(),
        };
        let CompileError::Capacity { capacity, needed } = err else {
            panic!("{err}");
        };
        assert_eq!(capacity, cap);
        assert!(needed >= exact, "{needed} < {exact}");
        assert!(std::format!("{err}").contains(&std::format!("needs {needed}")));
    }
    assert_eq!(exact, 275, "update the match above");
    // The capacity holds the program as generated, before the unreachable
    // RET copies are dropped; the error says so.
    let err = compile::<275>(&podman::X86_FAMILY).unwrap_err();
    assert!(
        matches!(err, CompileError::Capacity { needed: 276, .. }),
        "{err}"
    );
    let f = compile::<276>(&podman::X86_FAMILY).unwrap();
    assert_eq!(f.len(), exact);
    // resize keeps the program.
    let r: Filter<300> = f.resize().unwrap();
    assert_eq!(&r[..], &f[..]);
    assert!(f.resize::<10>().is_err());
}

#[test]
fn policy_errors_are_compile_errors() {
    const WIDE: [Cond; 1] = [Cond::eq(0, 1 << 33).low32()];
    let r = [Rule::when(Syscall::read, &WIDE, Action::Allow)];
    let p = Policy::new(Action::Allow, &[Abi::X86_64], &r);
    assert_eq!(
        compile::<64>(&p).unwrap_err(),
        CompileError::ConstantTooWide { rule: 0, abi: None }
    );
    assert_eq!(
        p.evaluate(Abi::X86_64, 0, &[0; 6]).unwrap_err(),
        CompileError::ConstantTooWide { rule: 0, abi: None }
    );
    let r = [Rule::new(Syscall::open, Action::Allow)];
    let p = Policy::new(Action::Allow, &[Abi::Aarch64], &r).on_missing(OnMissing::Error);
    assert_eq!(
        compile::<64>(&p).unwrap_err(),
        CompileError::MissingSyscall {
            rule: 0,
            abi: Abi::Aarch64
        }
    );
    let p = p.on_missing(OnMissing::Skip);
    assert!(compile::<64>(&p).is_ok());
    assert_eq!(
        compile::<64>(&Policy::new(Action::Errno(5000), &[Abi::Arm], &[])).unwrap_err(),
        CompileError::ErrnoRange {
            rule: None,
            errno: 5000
        }
    );
}

// ---- random policies -------------------------------------------------

#[derive(Clone, Debug)]
enum CmpSpec {
    Eq(u64),
    Ne(u64),
    Lt(u64),
    Le(u64),
    Gt(u64),
    Ge(u64),
    Masked(u64, u64),
    Range(u64, u64),
    AnyOf(Vec<u64>),
    AllSet(u64),
    NoneSet(u64),
}

#[derive(Clone, Debug)]
struct CondSpec {
    arg: u8,
    low32: bool,
    cmp: CmpSpec,
}

#[derive(Clone, Debug)]
struct RuleSpec {
    call: usize,
    conds: Vec<CondSpec>,
    action: Action,
}

const CALLS: [Syscall; 6] = [
    Syscall::read,
    Syscall::write,
    Syscall::close,
    Syscall::ioctl,
    Syscall::mmap,
    Syscall::socket,
];

fn value() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1),
        Just(0xffff_ffff),
        Just(0x1_0000_0000),
        Just(u64::MAX),
        Just(0x8000_0000),
        0u64..64,
        any::<u32>().prop_map(u64::from),
        any::<u64>(),
    ]
}

fn cmp() -> impl Strategy<Value = CmpSpec> {
    prop_oneof![
        value().prop_map(CmpSpec::Eq),
        value().prop_map(CmpSpec::Ne),
        value().prop_map(CmpSpec::Lt),
        value().prop_map(CmpSpec::Le),
        value().prop_map(CmpSpec::Gt),
        value().prop_map(CmpSpec::Ge),
        (value(), value()).prop_map(|(m, v)| CmpSpec::Masked(m, v & m)),
        (value(), value()).prop_map(|(m, v)| CmpSpec::Masked(m, v)),
        (value(), value()).prop_map(|(a, b)| CmpSpec::Range(a.min(b), a.max(b))),
        proptest::collection::vec(value(), 0..5).prop_map(CmpSpec::AnyOf),
        value().prop_map(CmpSpec::AllSet),
        value().prop_map(CmpSpec::NoneSet),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Allow),
        Just(Action::Log),
        Just(Action::KillProcess),
        Just(Action::KillThread),
        Just(Action::UserNotif),
        (0u16..4).prop_map(Action::Errno),
        (0u16..3).prop_map(Action::Trap),
        (0u16..3).prop_map(Action::Trace),
    ]
}

fn rule() -> impl Strategy<Value = RuleSpec> {
    (
        0..CALLS.len(),
        proptest::collection::vec(
            (0u8..3, any::<bool>(), cmp()).prop_map(|(arg, low32, cmp)| CondSpec {
                arg,
                low32,
                cmp,
            }),
            0..3,
        ),
        action(),
    )
        .prop_map(|(call, conds, action)| RuleSpec {
            call,
            conds,
            action,
        })
}

fn abi_set() -> impl Strategy<Value = Vec<Abi>> {
    prop_oneof![
        Just(vec![Abi::X86_64]),
        Just(vec![Abi::X86_64, Abi::X32, Abi::X86]),
        Just(vec![Abi::Aarch64, Abi::Arm]),
        Just(vec![Abi::S390x, Abi::Mips64]),
        Just(vec![Abi::Mips, Abi::Ppc64, Abi::Ppc64le]),
    ]
}

/// Runs one random policy: the filter and the evaluator agree, or both
/// refuse the policy with the same error.
fn check_random(
    rules: &[RuleSpec],
    abis: &[Abi],
    default: Action,
    log: bool,
    fit: bool,
) -> Result<(), TestCaseError> {
    // Mostly policies that compile: constants cut to 32 bits where only
    // 32 bits are compared (the rest test the errors).
    let narrow_abi = abis.iter().any(|a| a.word_bits() == 32);
    let rules: Vec<RuleSpec> = rules
        .iter()
        .map(|r| {
            let mut r = r.clone();
            for c in &mut r.conds {
                if fit && (c.low32 || narrow_abi) {
                    let m = |v: &mut u64| *v &= 0xffff_ffff;
                    match &mut c.cmp {
                        CmpSpec::Eq(v)
                        | CmpSpec::Ne(v)
                        | CmpSpec::Lt(v)
                        | CmpSpec::Le(v)
                        | CmpSpec::Gt(v)
                        | CmpSpec::Ge(v)
                        | CmpSpec::AllSet(v)
                        | CmpSpec::NoneSet(v) => m(v),
                        CmpSpec::Masked(a, b) | CmpSpec::Range(a, b) => {
                            m(a);
                            m(b)
                        }
                        CmpSpec::AnyOf(vs) => vs.iter_mut().for_each(m),
                    }
                }
            }
            r
        })
        .collect();
    let rules = &rules[..];
    let sets: Vec<Vec<Vec<u64>>> = rules
        .iter()
        .map(|r| {
            r.conds
                .iter()
                .map(|c| {
                    if let CmpSpec::AnyOf(v) = &c.cmp {
                        v.clone()
                    } else {
                        vec![]
                    }
                })
                .collect()
        })
        .collect();
    let conds: Vec<Vec<Cond>> = rules
        .iter()
        .zip(&sets)
        .map(|(r, s)| {
            r.conds
                .iter()
                .zip(s)
                .map(|(c, set)| Cond {
                    arg: c.arg,
                    width: if c.low32 { Width::Low32 } else { Width::Full64 },
                    cmp: match c.cmp {
                        CmpSpec::Eq(v) => Cmp::Eq(v),
                        CmpSpec::Ne(v) => Cmp::Ne(v),
                        CmpSpec::Lt(v) => Cmp::Lt(v),
                        CmpSpec::Le(v) => Cmp::Le(v),
                        CmpSpec::Gt(v) => Cmp::Gt(v),
                        CmpSpec::Ge(v) => Cmp::Ge(v),
                        CmpSpec::Masked(mask, value) => Cmp::MaskedEq { mask, value },
                        CmpSpec::Range(lo, hi) => Cmp::InRange { lo, hi },
                        CmpSpec::AnyOf(_) => Cmp::AnyOf(set),
                        CmpSpec::AllSet(v) => Cmp::AllSet(v),
                        CmpSpec::NoneSet(v) => Cmp::NoneSet(v),
                    },
                })
                .collect()
        })
        .collect();
    let rs: Vec<Rule> = rules
        .iter()
        .zip(&conds)
        .map(|(r, c)| Rule {
            target: Target::Syscall(CALLS[r.call]),
            conds: c,
            action: r.action,
        })
        .collect();
    let p = Policy::new(default, abis, &rs)
        .log_mode(log)
        .bad_arch(Action::Trap(77));
    let compiled = compile::<2048>(&p);
    match (p.check(), compiled) {
        (Err(e), Err(c)) => prop_assert_eq!(e, c),
        (Ok(()), Ok(f)) => {
            bpf::verify(&f).unwrap();
            // No dead code, no path without its arch check, an x32 guard.
            // (The auditor wants one byte order; random ABI sets may mix them.)
            match seccomp_bpf::audit::audit(&f, abis) {
                Ok(report) => prop_assert_eq!(
                    report.errors(),
                    0,
                    "{:?}\n{}",
                    report.findings(),
                    bpf::Disasm::new(&f)
                ),
                Err(seccomp_bpf::audit::AuditError::MixedByteOrder) => {}
                Err(e) => prop_assert!(false, "{e}"),
            }
            for &abi in abis.iter().chain(&[Abi::Riscv64]) {
                for call in CALLS {
                    let Some(nr) = call.nr(abi) else { continue };
                    for args in arg_sets(&p, abi, nr) {
                        let want = p.evaluate(abi, nr, &args).unwrap();
                        let d = SeccompData::new(nr as i32, abi.audit_arch(), args);
                        let got = Action::from_ret(bpf::run(&f, abi.byte_order(), &d).unwrap().ret);
                        prop_assert_eq!(got, want, "{} nr {} args {:x?}\n{:?}", abi, nr, args, p);
                    }
                }
                for nr in [0u32, 1, 2, 3, 400, 0x4000_0000, u32::MAX] {
                    let want = p.evaluate(abi, nr, &[0; 6]).unwrap();
                    let d = SeccompData::new(nr as i32, abi.audit_arch(), [0; 6]);
                    let got = Action::from_ret(bpf::run(&f, abi.byte_order(), &d).unwrap().ret);
                    prop_assert_eq!(got, want, "{} nr {}", abi, nr);
                }
            }
        }
        (e, c) => prop_assert!(false, "check {:?} but compile {:?}", e, c.map(|f| f.len())),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
    #[test]
    fn random_policies_agree(
        rules in proptest::collection::vec(rule(), 0..12),
        abis in abi_set(),
        default in action(),
        log in any::<bool>(),
        fit in proptest::bool::weighted(0.9),
    ) {
        check_random(&rules, &abis, default, log, fit)?;
    }
}

//! The core properties, with proptest's shrinking so that a failure
//! prints a small policy:
//!
//! - what `compile` emits passes `verify`;
//! - running the filter equals `Policy::evaluate` on every call tried
//!   (each ABI of the policy and a foreign one, numbers of the rules and
//!   others, arguments around every constant);
//! - `Disasm` prints one line per instruction, each starting with its pc,
//!   and names every instruction of compiled code (no `.word`).

mod randpol;

use proptest::prelude::*;
use randpol::{CmpS, CondS, RuleS, Spec, TargetS};
use seccomp_bpf::bpf::{self, SockFilter};
use seccomp_bpf::{Abi, Action, Filter, SeccompData, Syscall, compile};

fn abi() -> impl Strategy<Value = Abi> {
    prop::sample::select(vec![
        Abi::X86_64,
        Abi::X86,
        Abi::X32,
        Abi::Aarch64,
        Abi::Arm,
        Abi::Riscv64,
        Abi::S390x,
        Abi::S390,
        Abi::Ppc64,
        Abi::Ppc64le,
        Abi::Mips,
        Abi::Mips64n32,
        Abi::Parisc,
        Abi::Sheb,
    ])
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Allow),
        Just(Action::Log),
        Just(Action::KillProcess),
        Just(Action::KillThread),
        Just(Action::UserNotif),
        (0u16..=4095).prop_map(Action::Errno),
        any::<u16>().prop_map(Action::Trap),
        any::<u16>().prop_map(Action::Trace),
    ]
}

/// Constants that shrink towards 0 and keep the shapes that matter.
fn value() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..8,
        (0u32..64).prop_map(|s| 1u64 << s),
        any::<u32>().prop_map(u64::from),
        any::<u64>(),
    ]
}

fn cmp() -> impl Strategy<Value = CmpS> {
    prop_oneof![
        value().prop_map(CmpS::Eq),
        value().prop_map(CmpS::Ne),
        value().prop_map(CmpS::Lt),
        value().prop_map(CmpS::Le),
        value().prop_map(CmpS::Gt),
        value().prop_map(CmpS::Ge),
        (value(), value()).prop_map(|(m, v)| CmpS::MaskedEq(m, v)),
        (value(), value()).prop_map(|(a, b)| CmpS::InRange(a.min(b), a.max(b))),
        prop::collection::vec(value(), 0..4).prop_map(CmpS::AnyOf),
        value().prop_map(CmpS::AllSet),
        value().prop_map(CmpS::NoneSet),
    ]
}

fn cond() -> impl Strategy<Value = CondS> {
    (0u8..6, prop::bool::weighted(0.25), cmp()).prop_map(|(arg, low32, cmp)| CondS {
        arg,
        low32,
        cmp,
    })
}

fn rule() -> impl Strategy<Value = RuleS> {
    let call = prop::sample::select(vec![
        Syscall::read,
        Syscall::write,
        Syscall::openat,
        Syscall::ioctl,
        Syscall::socket,
        Syscall::clone,
        Syscall::mmap,
        Syscall::getpid,
    ]);
    (call, prop::collection::vec(cond(), 0..3), action()).prop_map(|(call, conds, action)| RuleS {
        target: TargetS::Sys(call),
        conds,
        action,
    })
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        action(),
        action(),
        prop::collection::btree_set(abi(), 1..4),
        any::<bool>(),
        prop::collection::vec(rule(), 0..10),
    )
        .prop_map(|(default, bad_arch, abis, log_mode, rules)| {
            let mut spec = Spec {
                default,
                bad_arch,
                abis: abis.into_iter().collect(),
                log_mode,
                rules,
            };
            fit(&mut spec);
            spec
        })
}

/// Cuts the constants of narrow comparisons to 32 bits (a 32-bit ABI in
/// the policy, or `Low32`), so that most cases compile; the refusal of
/// wide constants has its own tests.
fn fit(spec: &mut Spec) {
    let narrow_abi = spec.abis.iter().any(|a| a.word_bits() == 32);
    let cut = |v: &mut u64| *v &= 0xffff_ffff;
    for r in &mut spec.rules {
        for c in &mut r.conds {
            if !(narrow_abi || c.low32) {
                continue;
            }
            match &mut c.cmp {
                CmpS::Eq(v)
                | CmpS::Ne(v)
                | CmpS::Lt(v)
                | CmpS::Le(v)
                | CmpS::Gt(v)
                | CmpS::Ge(v)
                | CmpS::AllSet(v)
                | CmpS::NoneSet(v) => cut(v),
                CmpS::MaskedEq(a, b) | CmpS::InRange(a, b) => {
                    cut(a);
                    cut(b);
                }
                CmpS::AnyOf(vs) => vs.iter_mut().for_each(cut),
            }
        }
    }
}

/// Compiles `spec`; `None` (and the case is skipped) when the policy is
/// refused, after checking that the refusal is the policy's own error.
fn compiled(spec: &Spec) -> Option<Filter<4096>> {
    spec.with_policy(|p| match compile::<4096>(p) {
        Ok(f) => Some(f),
        Err(e) => {
            assert_eq!(p.check(), Err(e), "compile failed on a policy that checks");
            None
        }
    })
}

fn disasm_lines(prog: &[SockFilter], abi: Abi) -> Vec<String> {
    format!("{}", bpf::Disasm::new(prog).abi(abi))
        .lines()
        .map(str::to_owned)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn compile_emits_what_verify_accepts(spec in spec()) {
        let Some(f) = compiled(&spec) else { return Ok(()) };
        let v = bpf::verify(&f);
        prop_assert!(v.is_ok(), "{:?}\n{}", v, bpf::Disasm::new(&f));
        prop_assert_eq!(v.unwrap().len, f.len());
    }

    #[test]
    fn compiled_filter_equals_evaluate(spec in spec(), foreign in abi()) {
        let Some(f) = compiled(&spec) else { return Ok(()) };
        let mut abis = spec.abis.clone();
        abis.push(foreign);
        for abi in abis {
            let mut nrs: Vec<u32> = spec.rules.iter().filter_map(|r| spec.nr_of(r, abi)).collect();
            nrs.extend([abi.syscall_base(), 0x4000_0000, u32::MAX]);
            for nr in nrs {
                for args in spec.probes(abi, nr) {
                    let want = spec.with_policy(|p| p.evaluate(abi, nr, &args)).unwrap();
                    let d = SeccompData::new(nr as i32, abi.audit_arch(), args);
                    let got = bpf::run(&f, abi.byte_order(), &d).unwrap();
                    prop_assert_eq!(
                        Action::from_ret(got.ret), want,
                        "{} nr {:#x} args {:x?}\n{}", abi, nr, args, bpf::Disasm::new(&f).abi(abi)
                    );
                }
            }
        }
    }

    #[test]
    fn disasm_names_every_compiled_instruction(spec in spec()) {
        let Some(f) = compiled(&spec) else { return Ok(()) };
        let lines = disasm_lines(&f, spec.abis[0]);
        prop_assert_eq!(lines.len(), f.len());
        for (pc, line) in lines.iter().enumerate() {
            let head = format!("{pc:>4}:");
            prop_assert!(line.starts_with(&head), "line {}: {:?}", pc, line);
            prop_assert!(!line.contains(".word"), "line {}: {:?}", pc, line);
        }
    }

    /// Any instruction words at all: no panic, one line each.
    #[test]
    fn disasm_never_panics(words in prop::collection::vec(any::<(u16, u8, u8, u32)>(), 0..64), a in abi()) {
        let prog: Vec<SockFilter> =
            words.iter().map(|&(code, jt, jf, k)| SockFilter::jump(code, k, jt, jf)).collect();
        prop_assert_eq!(disasm_lines(&prog, a).len(), prog.len());
    }
}

/// The properties above are not vacuous: most drawn policies compile.
#[test]
fn most_drawn_policies_compile() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let total = 200;
    let ok = (0..total)
        .filter(|_| compiled(&spec().new_tree(&mut runner).unwrap().current()).is_some())
        .count();
    assert!(
        ok * 10 >= total * 9,
        "only {ok} of {total} policies compile"
    );
}

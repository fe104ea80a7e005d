//! Random policies through the compiler: either the typed error that
//! `Policy::check` reports (or a size error), or a program that verify
//! accepts, that disassembles with a name for every instruction, and whose
//! run equals the policy's own evaluation on every call tried.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seccomp_bpf::bpf;
use seccomp_bpf::{Action, CompileError, compile};
use seccomp_bpf_fuzz::{CallSpec, PolicySpec, check_disasm, constants};

fuzz_target!(|input: (PolicySpec, Vec<CallSpec>)| {
    let (spec, calls) = input;
    spec.with_policy(|p| {
        let checked = p.check();
        match compile::<4096>(p) {
            Err(e) => {
                match checked {
                    Err(c) => assert_eq!(e, c, "compile and check disagree"),
                    Ok(()) => assert!(
                        matches!(
                            e,
                            CompileError::TooLong { .. } | CompileError::TooManyRules { .. }
                        ),
                        "a policy that checks failed with {e:?}"
                    ),
                }
                assert!(!e.to_string().is_empty());
                // The evaluator reports the same problem, never a verdict.
                if let Err(c) = checked {
                    let (d, _) = CallSpec::default_call().data(p, &[]);
                    assert_eq!(p.evaluate_data(&d), Err(c));
                }
            }
            Ok(f) => {
                assert_eq!(checked, Ok(()));
                let v = bpf::verify(&f).unwrap_or_else(|e| panic!("compiled filter refused: {e}"));
                assert_eq!(v.len, f.len());
                let abi = p.abis().first().copied();
                assert!(!check_disasm(&f, abi), "compiled code printed as .word");
                let consts = constants(p);
                for call in calls.iter().take(32) {
                    let (d, order) = call.data(p, &consts);
                    let want = p.evaluate_data(&d).expect("a checked policy evaluates");
                    let got = bpf::run(&f, order, &d).expect("verified");
                    assert_eq!(Action::from_ret(got.ret), want, "call {d:x?} ({order:?})");
                }
            }
        }
    });
});

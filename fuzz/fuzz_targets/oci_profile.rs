//! Arbitrary text as an OCI seccomp profile: a clean error or a policy
//! whose compiled filter decides every call tried as the policy does.
//!
//! The input is a selector byte (options: skip unknown names, a kernel
//! version, the ABIs), then the JSON text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seccomp_bpf::bpf;
use seccomp_bpf::oci::{KernelVersion, Options, Profile};
use seccomp_bpf::{Abi, Action, CompileError, compile};
use seccomp_bpf_fuzz::{ArchSpec, ArgSpec, CallNr, CallSpec, check_disasm, constants};

fuzz_target!(|input: &[u8]| {
    let Some((&sel, rest)) = input.split_first() else {
        return;
    };
    let Ok(text) = core::str::from_utf8(rest) else {
        return;
    };
    let mut opts = Options::new()
        .skip_unknown(sel & 1 != 0)
        .native(Abi::X86_64)
        .caps(&["CAP_SYS_ADMIN"]);
    if sel & 2 != 0 {
        opts = opts.kernel(KernelVersion::new(6, (sel >> 4) as u32));
    }
    if sel & 4 != 0 {
        opts = opts.abis(&[Abi::X86_64, Abi::X86, Abi::X32]);
    }
    if sel & 8 != 0 {
        opts = opts.abis(&[Abi::S390x, Abi::Ppc64le]);
    }
    let profile = match Profile::from_json(text, &opts) {
        Ok(p) => p,
        Err(e) => {
            let _ = e.to_string();
            let _ = e.path();
            return;
        }
    };
    let rules = profile.rules();
    let p = rules.policy();
    let f = match compile::<4096>(&p) {
        Ok(f) => f,
        Err(e) => {
            // The policy's own first problem, or a size error.
            match p.check() {
                Err(c) => assert_eq!(e, c),
                Ok(()) => assert!(
                    matches!(
                        e,
                        CompileError::TooLong { .. } | CompileError::TooManyRules { .. }
                    ),
                    "{e:?}"
                ),
            }
            let _ = e.to_string();
            return;
        }
    };
    bpf::verify(&f).expect("compiled filter refused");
    assert!(!check_disasm(&f, p.abis().first().copied()));
    let consts = constants(&p);
    // Every rule's number, with its constants and around them, on every ABI.
    for (ai, _) in p.abis().iter().enumerate() {
        for r in 0..p.rules().len().min(64) {
            for (ci, delta) in [(0u8, 0i8), (1, -1), (2, 1), (3, 0)] {
                let call = CallSpec {
                    arch: ArchSpec::Policy(ai as u8),
                    nr: CallNr::Rule(r as u8),
                    args: [
                        ArgSpec::Const(ci, delta),
                        ArgSpec::Const(ci.wrapping_add(1), delta),
                        ArgSpec::Const(ci.wrapping_add(2), 0),
                        ArgSpec::Zero,
                        ArgSpec::Const(ci, 0),
                        ArgSpec::Raw(u64::MAX),
                    ],
                    ip: 0,
                };
                let (d, order) = call.data(&p, &consts);
                let want = p.evaluate_data(&d).expect("compiled policy evaluates");
                let got = bpf::run(&f, order, &d).expect("verified");
                assert_eq!(Action::from_ret(got.ret), want, "{d:x?}");
            }
        }
    }
});

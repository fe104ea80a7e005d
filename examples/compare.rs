//! seccomp-bpf against libseccomp and seccompiler on podman's default
//! profile: program length, instructions executed, calls the kernel's
//! cache serves, whether the programs decide every call alike, and a quick
//! timing of each compiler (median of repeated runs; `cargo bench --bench
//! compare` measures the same with criterion).
//!
//! ```text
//! cargo run --release --example compare
//! ```
//!
//! Needs libseccomp's development files (libseccomp-dev) on a glibc Linux.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[path = "../benches/common/mod.rs"]
mod common;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn main() {
    use common::*;
    use seccomp_bpf::compile;
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    let rows = rows();
    print_table(&rows);
    println!();

    // Do libseccomp's programs and ours decide every call alike?
    for (set, abis) in SETS {
        let policy = podman_policy(abis);
        let input = scmp_input(&policy);
        if !input.unknown.is_empty() {
            println!(
                "{set}: libseccomp 2.5.4 does not know {} of the calls by name: {} \
                 (added by x86_64 number; it cannot add them to other ABIs)",
                input.unknown.len(),
                input.unknown.join(" ")
            );
        }
        for (i, e) in scmp_refused(&input) {
            let r = &policy.rules()[i];
            println!(
                "{set}: libseccomp refuses rule {i} ({:?} -> {}): {e}",
                r.target, r.action
            );
        }
        let ours = compile::<2048>(&policy).expect("ours compiles");
        let theirs = scmp_program(&input);
        let diffs = differences(&policy, &ours, &theirs);
        print_differences(&format!("{set}: libseccomp vs seccomp-bpf"), &diffs);
        let ours_wrong = diffs.iter().filter(|d| d.ours != d.policy).count();
        println!("{set}: seccomp-bpf differs from Policy::evaluate on {ours_wrong} probes");
    }
    // seccompiler against ours on the ALLOW rules.
    {
        let abis = &[seccomp_bpf::Abi::X86_64][..];
        let policy = podman_policy(SETS[0].1);
        let allow = allow_subset(&policy);
        let sub = seccomp_bpf::Policy::new(policy.default_action(), abis, &allow);
        let ours = compile::<2048>(&sub).expect("ours compiles");
        let theirs = from_seccompiler(&seccompiler_program(
            seccompiler_input(&policy, abis[0]),
            abis[0],
            policy.default_action(),
        ));
        let diffs = differences(&sub, &ours, &theirs);
        print_differences("x86_64, ALLOW rules: seccompiler vs seccomp-bpf", &diffs);
    }
    println!();

    // Quick timings: median of many runs.
    fn median(mut f: impl FnMut()) -> Duration {
        for _ in 0..20 {
            f();
        }
        let mut v: Vec<Duration> = (0..201)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect();
        v.sort();
        v[v.len() / 2]
    }
    println!(
        "{:<16} {:>12} {:>14} {:>14} {:>14} {:>8} {:>8}",
        "compile",
        "seccomp-bpf",
        "libseccomp",
        "(rules only)",
        "(export I/O)",
        "ratio",
        "seccompiler"
    );
    for (set, abis) in SETS {
        let policy = podman_policy(abis);
        let ours = median(|| {
            let _ = black_box(compile::<1024>(black_box(&policy)));
        });
        let input = scmp_input(&policy);
        let mut fd = Memfd::new();
        let mut buf = Vec::new();
        let full = median(|| {
            let ctx = scmp_build(black_box(&input));
            fd.export(&ctx, &mut buf);
            black_box(&buf);
        });
        let rules_only = median(|| {
            black_box(scmp_build(black_box(&input)));
        });
        let bytes = {
            let ctx = scmp_build(&input);
            let mut b = Vec::new();
            fd.export(&ctx, &mut b);
            b
        };
        let io = median(|| {
            fd.round_trip(black_box(&bytes), &mut buf);
        });
        let sc = if let [abi] = abis
            && seccompiler_arch(*abi).is_some()
        {
            let abi = *abi;
            let t = median(|| {
                let input = seccompiler_input(black_box(&policy), abi);
                black_box(seccompiler_program(input, abi, policy.default_action()));
            });
            format!("{t:.1?}")
        } else {
            "-".to_string()
        };
        println!(
            "{:<16} {:>12.1?} {:>14.1?} {:>14.1?} {:>14.1?} {:>7.0}x {:>8}",
            set,
            ours,
            full,
            rules_only,
            io,
            full.as_secs_f64() / ours.as_secs_f64(),
            sc
        );
    }
    println!(
        "libseccomp = seccomp_init .. rules .. seccomp_export_bpf to a memfd and read back \
         (names resolved beforehand); rules only = without the export, which is where \
         libseccomp generates its BPF; export I/O = writing and reading the same bytes \
         alone. seccompiler compiles the ALLOW rules only, x86_64 only."
    );
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn main() {
    eprintln!("the comparison needs a glibc Linux target with libseccomp");
}

//! Compile time of podman's default profile: seccomp-bpf's `compile` at
//! run time against libseccomp (optimize level 2) and seccompiler, from the
//! same const rules (`tests/podman/mod.rs`); and the install path's
//! preparation (SockFprog and `bpf::verify`).
//!
//! ```text
//! cargo bench --bench compare            # table, then criterion
//! cargo bench --bench compare -- x86_64  # one group
//! ```
//!
//! The table of lengths, executed instructions and cached calls is printed
//! first (also `cargo run --release --example compare`, which adds the
//! agreement check and quick timings).

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod common;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod imp {
    use super::common::*;
    use criterion::{BenchmarkId, Criterion};
    use seccomp_bpf::{Filter, FilterFlags, bpf, compile};
    use std::hint::black_box;
    use std::time::Duration;

    /// Our compiler, libseccomp (whole, and without the export where it
    /// generates its BPF), the export's I/O alone, seccompiler on the
    /// ALLOW rules where it can, for one ABI set.
    fn compile_set(c: &mut Criterion, set: &'static str, abis: &'static [seccomp_bpf::Abi]) {
        let policy = podman_policy(abis);
        let mut g = c.benchmark_group(format!("compile podman {set}"));
        g.bench_function("seccomp-bpf", |b| {
            b.iter(|| compile::<1024>(black_box(&policy)))
        });
        let input = scmp_input(&policy);
        let mut fd = Memfd::new();
        let mut buf = Vec::new();
        g.bench_function("libseccomp -O2, build+export", |b| {
            b.iter(|| {
                let ctx = scmp_build(black_box(&input));
                fd.export(&ctx, &mut buf);
                buf.len()
            })
        });
        g.bench_function("libseccomp -O2, build only", |b| {
            b.iter(|| scmp_build(black_box(&input)))
        });
        let bytes = {
            let ctx = scmp_build(&input);
            let mut v = Vec::new();
            fd.export(&ctx, &mut v);
            v
        };
        g.bench_with_input(
            BenchmarkId::new("memfd write+read", bytes.len()),
            &bytes,
            |b, bytes| b.iter(|| fd.round_trip(black_box(bytes), &mut buf)),
        );
        if let [abi] = abis
            && seccompiler_arch(*abi).is_some()
        {
            let abi = *abi;
            let allow = allow_subset(&policy);
            let sub = seccomp_bpf::Policy::new(policy.default_action(), abis, &allow);
            g.bench_function("seccomp-bpf, ALLOW rules", |b| {
                b.iter(|| compile::<1024>(black_box(&sub)))
            });
            g.bench_function("seccompiler, ALLOW rules", |b| {
                b.iter(|| {
                    let input = seccompiler_input(black_box(&policy), abi);
                    seccompiler_program(input, abi, policy.default_action())
                })
            });
        }
        g.finish();
    }

    /// What `install::install` does before seccomp(2) (its private
    /// `prepare`, from the same public pieces): check the program as the
    /// kernel will (`bpf::verify`), check the flags, describe the program
    /// (SockFprog).
    fn install_prep(c: &mut Criterion) {
        let mut g = c.benchmark_group("install prep");
        for (set, abis) in SETS {
            let f: Filter<1024> = compile(&podman_policy(abis)).expect("compiles");
            g.bench_with_input(
                BenchmarkId::new("verify+flags+SockFprog", set),
                &f,
                |b, f| {
                    b.iter(|| {
                        let prog = black_box(&f[..]);
                        let charged = bpf::verify(prog).expect("verifies").charged;
                        let flags = black_box(FilterFlags::TSYNC);
                        flags.check().expect("flags");
                        let fprog = bpf::SockFprog::new(prog).expect("fits");
                        (fprog.len, charged)
                    })
                },
            );
        }
        g.finish();
    }

    pub fn main() {
        print_table(&rows());
        println!();
        let mut c = Criterion::default()
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(2))
            .sample_size(30)
            .configure_from_args();
        for (set, abis) in SETS {
            compile_set(&mut c, set, abis);
        }
        install_prep(&mut c);
        c.final_summary();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn main() {
    imp::main();
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn main() {
    eprintln!("the comparison needs a glibc Linux target with libseccomp");
}

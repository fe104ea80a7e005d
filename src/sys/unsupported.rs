//! Every architecture without a backend here stops the build.

compile_error!(
    "seccomp_bpf::sys has no system-call backend for this target_arch. Supported: x86_64 \
     (and x32), x86, aarch64, arm (ARM and Thumb), riscv64, riscv32, loongarch64, s390x, \
     powerpc64. mips is not supported because its inline assembly is not stable in Rust \
     (asm_experimental_arch)."
);

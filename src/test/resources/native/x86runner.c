/*
 * Executes single x86-64 instructions natively for the differential test (HostDifferentialTest).
 * stdin: records of 16 GPRs (u64, SDM order; RBX and RSP are ignored: RBX is set to the 64-byte memory
 * buffer, RSP stays the runner's), RFLAGS (u64), 64 memory bytes, 16 code bytes.
 * stdout per record: 16 GPRs, RFLAGS, 64 memory bytes, and a u64 that is 1 when the instruction raised
 * SIGFPE (#DE), else 0.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

uint64_t in_regs[17];
uint64_t out_regs[17];
void *code_ptr;
uint64_t saved_rsp;
volatile uint64_t faulted;

extern void run_case(void);
extern char after_case[];

__asm__(
    ".text\n"
    ".globl run_case\n"
    "run_case:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  mov %rsp, saved_rsp(%rip)\n"
    "  pushq in_regs+128(%rip)\n popfq\n"
    "  mov in_regs+0(%rip), %rax\n mov in_regs+8(%rip), %rcx\n mov in_regs+16(%rip), %rdx\n"
    "  mov in_regs+24(%rip), %rbx\n mov in_regs+40(%rip), %rbp\n mov in_regs+48(%rip), %rsi\n"
    "  mov in_regs+56(%rip), %rdi\n mov in_regs+64(%rip), %r8\n mov in_regs+72(%rip), %r9\n"
    "  mov in_regs+80(%rip), %r10\n mov in_regs+88(%rip), %r11\n mov in_regs+96(%rip), %r12\n"
    "  mov in_regs+104(%rip), %r13\n mov in_regs+112(%rip), %r14\n mov in_regs+120(%rip), %r15\n"
    "  jmp *code_ptr(%rip)\n"
    ".globl after_case\n"
    "after_case:\n"
    "  mov %rax, out_regs+0(%rip)\n mov %rcx, out_regs+8(%rip)\n mov %rdx, out_regs+16(%rip)\n"
    "  mov %rbx, out_regs+24(%rip)\n mov %rbp, out_regs+40(%rip)\n mov %rsi, out_regs+48(%rip)\n"
    "  mov %rdi, out_regs+56(%rip)\n mov %r8, out_regs+64(%rip)\n mov %r9, out_regs+72(%rip)\n"
    "  mov %r10, out_regs+80(%rip)\n mov %r11, out_regs+88(%rip)\n mov %r12, out_regs+96(%rip)\n"
    "  mov %r13, out_regs+104(%rip)\n mov %r14, out_regs+112(%rip)\n mov %r15, out_regs+120(%rip)\n"
    "  pushfq\n popq out_regs+128(%rip)\n"
    "  mov saved_rsp(%rip), %rsp\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n");

static void on_fpe(int sig, siginfo_t *si, void *ctx) {
    (void) sig;
    (void) si;
    ucontext_t *uc = ctx;
    faulted = 1;
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t) after_case;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
    unsigned char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    static unsigned char mem[64] __attribute__((aligned(64)));
    unsigned char rec[17 * 8 + 64 + 16];
    while (fread(rec, sizeof rec, 1, stdin) == 1) {
        memcpy(in_regs, rec, 17 * 8);
        memcpy(mem, rec + 17 * 8, 64);
        in_regs[3] = (uint64_t) mem;
        in_regs[16] &= 0xcd5; /* status flags and DF only; never TF/IF/AC */
        memcpy(page, rec + 17 * 8 + 64, 16);
        /* after the instruction bytes (at most 15, padded with NOPs): jmp *0(%rip) to after_case */
        unsigned char *tail = page + 16;
        tail[0] = 0xff; tail[1] = 0x25; tail[2] = tail[3] = tail[4] = tail[5] = 0;
        uint64_t target = (uint64_t) after_case;
        memcpy(tail + 6, &target, 8);
        code_ptr = page;
        faulted = 0;
        run_case();
        uint64_t fault = faulted;
        fwrite(out_regs, 8, 17, stdout);
        fwrite(mem, 1, 64, stdout);
        fwrite(&fault, 8, 1, stdout);
        fflush(stdout);
    }
    return 0;
}

/*
 * x87 control instructions, MXCSR, FXSAVE/FXRSTOR, x87 arithmetic and #MF through FWAIT, in real mode
 * (ModeTransitionTest).
 * Each result is written to port 0xe9 as a 16-bit word (two bytes, low first).
 * Build: gcc -c -o fpu.o fpu.S && ld -Ttext=0x1000 --oformat binary -o fpu.bin fpu.o
 */
#define OUTW(src) mov src, %ax; out %ax, $0xe9

    .code16
    .globl _start
_start:
    movw $mf_handler, 16 * 4    /* IVT vector 16 (#MF) */
    movw $0, 16 * 4 + 2
    mov %cr4, %eax
    or $0x600, %eax             /* OSFXSR, OSXMMEXCPT */
    mov %eax, %cr4
    mov %cr0, %eax
    and $~0xc, %eax             /* EM, TS clear */
    or $0x22, %eax              /* MP, NE */
    mov %eax, %cr0
    fninit
    fnstcw cw
    OUTW(cw)                    /* 0x037f */
    fnstsw %ax
    out %ax, $0xe9              /* 0x0000 */
    movw $0x027f, cw
    fldcw cw
    movw $0, cw
    fnstcw cw
    OUTW(cw)                    /* 0x027f */
    movl $0x9fc0, mx
    ldmxcsr mx
    movl $0, mx
    stmxcsr mx
    OUTW(mx)                    /* 0x9fc0 */
    mov $0x12345678, %eax
    movd %eax, %xmm3
    fxsave buf
    OUTW(buf + 24)              /* MXCSR in the image: 0x9fc0 */
    OUTW(buf + 160 + 48)        /* XMM3 bits 15:0: 0x5678 */
    pxor %xmm3, %xmm3
    fxrstor buf
    movd %xmm3, %eax
    shr $16, %eax
    out %ax, $0xe9              /* 0x1234 */
    fld1
    fadd %st(0), %st(0)         /* 2.0 */
    fimuls three                /* 6.0 */
    fistps w
    OUTW(w)                     /* 0x0006 */
    movw $0x027b, cw            /* divide-by-zero unmasked */
    fldcw cw
    fld1
    fldz
    .byte 0xde, 0xf9            /* FDIVP ST(1), ST(0): 1/0 with #Z unmasked: no result, ES and B set */
    fnstsw %ax
    out %ax, $0xe9              /* 0xb084: B, TOP 6, ES, ZE */
    fwait                       /* #MF: the handler reports 0x0010 and clears the exceptions; FWAIT reruns */
    mov $0x1ff, %ax
    out %ax, $0xe9
    hlt

mf_handler:
    push %ax
    mov $16, %ax
    out %ax, $0xe9
    fnclex
    pop %ax
    iret

    .align 2
cw: .word 0
three: .word 3
w: .word 0
mx: .long 0
    .align 16
buf: .space 512

/*
 * x87 control instructions, MXCSR, FXSAVE/FXRSTOR and #UD for x87 arithmetic, in real mode (ModeTransitionTest).
 * Each result is written to port 0xe9 as a 16-bit word (two bytes, low first).
 * Build: gcc -c -o fpu.o fpu.S && ld -Ttext=0x1000 --oformat binary -o fpu.bin fpu.o
 */
#define OUTW(src) mov src, %ax; out %ax, $0xe9

    .code16
    .globl _start
_start:
    movw $ud_handler, 6 * 4     /* IVT vector 6 (#UD) */
    movw $0, 6 * 4 + 2
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
    fld1                        /* x87 arithmetic: #UD, the handler skips 2 bytes and reports 0x0006 */
    mov $0x1ff, %ax
    out %ax, $0xe9
    hlt

ud_handler:
    mov $6, %ax
    out %ax, $0xe9
    mov %sp, %bp
    addw $2, (%bp)
    iret

    .align 2
cw: .word 0
mx: .long 0
    .align 16
buf: .space 512

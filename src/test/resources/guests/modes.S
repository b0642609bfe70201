/*
 * Mode-transition guest for ModeTransitionTest. Loaded at 0x1000 and entered in real mode with CS=0.
 * Each stage writes a marker byte to port 0xe9; 0xff means a check failed.
 * Build: gcc -c -o modes.o modes.S && ld -Ttext=0x1000 --oformat binary -o modes.bin modes.o
 */
#define MARK(n) mov $n, %al; out %al, $0xe9

    .code16
    .globl _start
_start:
    cli
    MARK(1)
    lgdt gdtr
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmp $0x08, $pm32

    .code32
pm32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x9000, %esp
    MARK(2)
    /* 32-bit paging: 4 MiB pages at 0 and at 4 MiB, both mapping physical 0 */
    mov $0x10000, %edi
    xor %eax, %eax
    mov $1024, %ecx
    rep stosl
    movl $0x83, 0x10000
    movl $0x83, 0x10004
    mov %cr4, %eax
    or $0x10, %eax
    mov %eax, %cr4
    mov $0x10000, %eax
    mov %eax, %cr3
    mov %cr0, %eax
    or $0x80000000, %eax
    mov %eax, %cr0
    movl $0xdeadbeef, 0x403000
    cmpl $0xdeadbeef, 0x3000
    jne fail32
    testb $0x40, 0x10004        /* dirty bit of the alias PDE */
    jz fail32
    MARK(3)
    /* leave paging, build 4-level tables at 0x20000 identity-mapping 2 MiB for user and supervisor */
    mov %cr0, %eax
    and $0x7fffffff, %eax
    mov %eax, %cr0
    mov $0x20000, %edi
    xor %eax, %eax
    mov $3072, %ecx
    rep stosl
    movl $0x21007, 0x20000
    movl $0x22007, 0x21000
    movl $0x87, 0x22000
    mov $0x20, %eax             /* PAE only */
    mov %eax, %cr4
    mov $0x20000, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx
    rdmsr
    or $0x100, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000000, %eax
    mov %eax, %cr0
    ljmp $0x18, $lm64
fail32:
    MARK(0xff)
    hlt

    .code64
lm64:
    MARK(4)
    mov $0xc0000080, %ecx
    rdmsr
    test $0x400, %eax           /* EFER.LMA */
    jz fail
    mov $0x123456789a, %rax
    shr $32, %rax
    cmp $0x12, %eax
    jne fail
    ljmpl *compat_ptr

    .code32
compat:
    MARK(5)
    ljmp $0x18, $lm64b

    .code64
lm64b:
    MARK(6)
    mov $0x70000, %rsp
    /* IDT at 0x30000: vector 0x80 (DPL 0), 0x81 (DPL 3), 14 (#PF) */
    mov $0x30000, %rdi
    xor %eax, %eax
    mov $1024, %ecx
    rep stosl
    mov $0x80, %edi
    mov $int80, %esi
    mov $0x8e, %edx
    call setgate
    mov $0x81, %edi
    mov $int81, %esi
    mov $0xee, %edx
    call setgate
    mov $14, %edi
    mov $pfault, %esi
    mov $0x8e, %edx
    call setgate
    lidt idtr
    int $0x80
    MARK(8)
    /* page fault: 1 GiB is not mapped; the handler skips the 6-byte store */
    mov $0x40000000, %rbx
    movl $1, (%rbx)
    MARK(10)
    /* ring 3 through IRETQ, back through an interrupt gate with the TSS stack */
    /* SYSCALL: kernel CS 0x18 (SS 0x20); SYSRET: user SS 0x38, CS 0x40 */
    mov $0xc0000080, %ecx
    rdmsr
    or $1, %eax                 /* EFER.SCE */
    wrmsr
    mov $0xc0000081, %ecx       /* STAR */
    xor %eax, %eax
    mov $0x00300018, %edx
    wrmsr
    mov $0xc0000082, %ecx       /* LSTAR */
    mov $syscall_entry, %eax
    xor %edx, %edx
    wrmsr
    movl $0x70000, tss+4
    mov $0x28, %ax
    ltr %ax
    /* IST: vector 0x82 switches to TSS.IST1 = 0x50000 even without a privilege change */
    movl $0x50000, tss+0x24
    mov $0x82, %edi
    mov $int82, %esi
    mov $0x8e, %edx
    call setgate
    movb $1, 0x30000 + 0x82 * 16 + 4
    int $0x82
    pushq $0x3b
    pushq $0x60000
    pushfq
    pushq $0x43
    pushq $user
    iretq
user:
    syscall
    int $0x81
    jmp user

syscall_entry:
    MARK(12)
    cmp $user + 2, %rcx          /* RCX = the instruction after SYSCALL */
    jne fail
    sysretq

int80:
    MARK(7)
    iretq

int82:
    mov %rsp, %rax
    shr $12, %rax               /* 0x50000 - 40: 0x4f */
    out %al, $0xe9
    iretq

pfault:
    MARK(9)
    pop %rax                    /* error code: write to a not-present page, supervisor = 2 */
    cmp $2, %rax
    jne fail
    mov %cr2, %rax
    cmp %rbx, %rax
    jne fail
    addq $6, (%rsp)
    iretq

int81:
    MARK(11)
    mov 8(%rsp), %rax           /* CS pushed by the gate */
    out %al, $0xe9
    mov 32(%rsp), %rax          /* SS */
    out %al, $0xe9
    mov %rsp, %rax
    shr $12, %rax               /* on the TSS RSP0 stack: 0x70000 - 40 */
    out %al, $0xe9
    hlt

fail:
    MARK(0xff)
    hlt

/* rdi = vector, rsi = handler, dl = type byte */
setgate:
    mov %rdi, %rax
    shl $4, %rax
    add $0x30000, %rax
    mov %si, (%rax)
    movw $0x18, 2(%rax)
    movb $0, 4(%rax)
    mov %dl, 5(%rax)
    mov %rsi, %rcx
    shr $16, %rcx
    mov %cx, 6(%rax)
    shr $16, %rcx
    mov %ecx, 8(%rax)
    movl $0, 12(%rax)
    ret

    .align 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff    /* 0x08 32-bit code */
    .quad 0x00cf92000000ffff    /* 0x10 data */
    .quad 0x00af9a000000ffff    /* 0x18 64-bit code */
    .quad 0
    .quad 0x0000890000000067 + ((0x31000 & 0xffffff) << 16)   /* 0x28 64-bit TSS at 0x31000 */
    .quad 0
    .quad 0x00cff2000000ffff    /* 0x38 user data */
    .quad 0x00affa000000ffff    /* 0x40 user 64-bit code */
gdt_end:
gdtr:
    .word gdt_end - gdt - 1
    .long gdt
idtr:
    .word 0xfff
    .quad 0x30000
compat_ptr:
    .long compat
    .word 0x08
    .equ tss, 0x31000

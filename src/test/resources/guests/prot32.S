/*
 * 32-bit protected-mode guest for ProtectedModeTest. Loaded at 0x1000 and entered in real mode with CS=0.
 * Stages write marker bytes to port 0xe9 (0xff: a check failed); fault handlers write the vector and the
 * low byte of the error code.
 * Build: gcc -c -o prot32.o prot32.S && ld -Ttext=0x1000 --oformat binary -o prot32.bin prot32.o
 */
#define MARK(n) mov $n, %al; out %al, $0xe9
#define CHECK(a, b) cmp a, b; jne fail

    .code16
    .globl _start
_start:
    cli
    lgdt gdtr
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmp $0x08, $pm

    .code32
pm:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x9000, %esp
    MARK(1)
    /* IDT at 0x30000 */
    mov $0x30000, %edi
    xor %eax, %eax
    mov $512, %ecx
    rep stosl
    mov $11, %edi; mov $segfault, %esi; mov $0x8e, %edx; call setgate
    mov $12, %edi; mov $segfault, %esi; mov $0x8e, %edx; call setgate
    mov $13, %edi; mov $segfault, %esi; mov $0x8e, %edx; call setgate
    mov $8, %edi; mov $dfault, %esi; mov $0x8e, %edx; call setgate
    mov $0x80, %edi; mov $int80, %esi; mov $0xee, %edx; call setgate
    mov $0x82, %edi; mov $int82, %esi; mov $0xee, %edx; call setgate
    lidt idtr
    mov $gate_target, %eax      /* patch the call gate's offset */
    mov %ax, gate
    shr $16, %eax
    mov %ax, gate + 6
    mov $0x174, %ecx            /* SYSENTER_CS, _ESP, _EIP */
    xor %edx, %edx
    mov $0x08, %eax
    wrmsr
    inc %ecx
    mov $0x68000, %eax
    wrmsr
    inc %ecx
    mov $sysenter_target, %eax
    wrmsr

    /* segment-load protection: each faulting MOV Sreg is 2 bytes and the handler skips it */
    mov $0x1f8, %ax             /* beyond the GDT limit: #GP(0x1f8) */
    mov %ax, %ds
    mov $0x08, %ax              /* code segment into SS: #GP(0x08) */
    mov %ax, %ss
    mov $0x40, %ax              /* not-present data segment: #NP(0x40) */
    mov %ax, %es
    mov $0x23, %ax              /* DPL 3 data segment into SS at CPL 0: #GP(0x20) */
    mov %ax, %ss
    mov $0x10, %ax
    mov %ax, %ds
    MARK(2)

    /* PAE paging: PDPT at 0x20000, PD at 0x21000 with a 2 MiB user page at 0; alias at 1 GiB */
    mov $0x20000, %edi
    xor %eax, %eax
    mov $2048, %ecx
    rep stosl
    movl $0x21001, 0x20000
    movl $0x21001, 0x20008
    movl $0x87, 0x21000
    mov $0x20, %eax
    mov %eax, %cr4
    mov $0x20000, %eax
    mov %eax, %cr3
    mov %cr0, %eax
    or $0x80000000, %eax
    mov %eax, %cr0
    movl $0x5a5a5a5a, 0x40004000
    cmpl $0x5a5a5a5a, 0x4000
    jne fail
    MARK(3)

    /* LAR / LSL / VERW */
    mov $0x10, %ecx
    lar %ecx, %eax
    jnz fail
    CHECK($0x00cf9300, %eax)
    lsl %ecx, %eax
    CHECK($0xffffffff, %eax)
    mov $0x08, %ecx
    verw %cx
    jz fail
    MARK(4)

    /* hardware task switch: CALL to TSS B, which IRETs back (NT) */
    movl $0x9000, 0x31004       /* TSS A: ESP0, SS0 */
    movl $0x10, 0x31008
    movl $taskb, 0x32020        /* TSS B: EIP */
    movl $0x2, 0x32024          /* EFLAGS */
    movl $0x8000, 0x32038       /* ESP */
    movl $0x10, 0x32048         /* ES */
    movl $0x08, 0x3204c         /* CS */
    movl $0x10, 0x32050         /* SS */
    movl $0x10, 0x32054         /* DS */
    movl $0x10, 0x32058
    movl $0x10, 0x3205c
    mov %cr3, %eax
    mov %eax, 0x3201c           /* CR3 of both tasks: a task switch does not save CR3 */
    mov %eax, 0x3101c
    mov $0x28, %ax
    ltr %ax
    mov $0x77, %ebx
    lcall $0x30, $0
    CHECK($0x77, %ebx)          /* task A's registers come back from TSS A */
    MARK(6)

    /* virtual-8086 mode through IRET, back to ring 0 through an interrupt gate */
    pushl $0                    /* GS */
    pushl $0                    /* FS */
    pushl $0x100                /* DS */
    pushl $0                    /* ES */
    pushl $0x0                  /* SS */
    pushl $0x7000               /* ESP */
    pushl $0x23002              /* EFLAGS: VM, IOPL 3 */
    mov $v86code, %eax
    shr $4, %eax
    push %eax                   /* CS */
    pushl $0                    /* EIP */
    iret

after_v86:
    /* ring 3 through IRET (IOPL 3 so that ring 3 may OUT) */
    pushl $0x23
    pushl $0x60000
    pushl $0x3002
    pushl $0x1b
    pushl $user
    iret

user:
    mov $0x23, %ax              /* the IRET to ring 3 nulled DS and ES (DPL 0 < CPL 3) */
    mov %ax, %ds
    mov %ax, %es
    MARK(8)
    /* call gate DPL 3 to ring 0 with one parameter */
    pushl $0x55
    lcall $0x3b, $0
    CHECK($0x60000, %esp)
    MARK(10)
    int $0x80
    MARK(12)
    mov $0x174, %ecx            /* ring 3 cannot RDMSR: #GP(0) is reported by segfault as 0d 00 */
    movl $2, skip
    rdmsr
    MARK(13)
    mov %esp, %ecx
    mov $back3, %edx
    sysenter
back3:
    MARK(15)
    mov %cs, %eax
    CHECK($0x1b, %eax)
    int $0x80                   /* to ring 0, which tests the double fault */

int80:
    MARK(11)
    cmpl $0x1b, 4(%esp)
    jne fail
    cmpl $0x23, 16(%esp)
    jne fail
    cmpl $0, done80
    jne doublefault
    movl $1, done80
    iret

gate_target:
    MARK(9)
    mov 8(%esp), %eax           /* the copied parameter */
    out %al, $0xe9
    cmpl $0x1b, 4(%esp)
    jne fail
    lret $4

sysenter_target:
    MARK(14)
    mov %cs, %eax
    CHECK($0x08, %eax)
    sysexit

taskb:
    MARK(5)
    str %ax
    CHECK($0x30, %ax)
    mov $0x78, %ebx
    iret

int82:
    /* from virtual-8086 mode: frame EIP CS EFLAGS ESP SS ES DS FS GS */
    CHECK($0x1234, %ax)
    testl $0x20000, 8(%esp)
    jz fail
    cmpl $0x100, 24(%esp)
    jne fail
    mov %ds, %eax
    CHECK($0, %eax)
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov $0x9000, %esp
    MARK(7)
    jmp after_v86

doublefault:
    /* IDT limit below vector 13: the #GP below becomes #GP(0x6b) in delivery, then #DF */
    lidt idtr_short
    mov $0x1f8, %ax
    mov %ax, %ds
    jmp fail

dfault:
    MARK(16)
    pop %eax
    out %al, $0xe9
    hlt

segfault:
    /* the error code's low byte, then skip the faulting instruction */
    pop %eax
    out %al, $0xe9
    mov skip, %eax
    add %eax, (%esp)
    iret

fail:
    MARK(0xff)
    hlt

/* edi = vector, esi = handler, dl = type byte */
setgate:
    lea 0x30000(,%edi,8), %eax
    mov %si, (%eax)
    movw $0x08, 2(%eax)
    movb $0, 4(%eax)
    mov %dl, 5(%eax)
    shr $16, %esi
    mov %si, 6(%eax)
    ret

    .code16
    .align 16
v86code:
    mov $0x1234, %ax
    int $0x82
    hlt

    .code32
    .align 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff    /* 0x08 kernel code */
    .quad 0x00cf92000000ffff    /* 0x10 kernel data */
    .quad 0x00cffa000000ffff    /* 0x18 user code */
    .quad 0x00cff2000000ffff    /* 0x20 user data */
    .quad 0x0000890310000067    /* 0x28 TSS A at 0x31000 */
    .quad 0x0000890320000067    /* 0x30 TSS B at 0x32000 */
gate:
    .quad 0x0000ec0100080000    /* 0x38 call gate DPL 3, 1 parameter, to 0x08:gate_target (offset patched) */
    .quad 0x00cf12000000ffff    /* 0x40 data, not present */
gdt_end:
gdtr:
    .word gdt_end - gdt - 1
    .long gdt
idtr:
    .word 0x7ff
    .long 0x30000
idtr_short:
    .word 8 * 9 - 1
    .long 0x30000
skip:
    .long 2
done80:
    .long 0

; bench-irq64.asm - a long-mode entry for the ../shared/bench workloads that runs them with timer
; interrupts on, for BenchInterruptsTest. Linked in place of the bench's own boot64.o with its
; guest.ld and its guest_rt.o, common.o and workload object, so the workload code is byte for byte
; the bench's; the bench's own entry cannot be used because it runs CLI and never STI.
;
; Entered like every bench image (README.md there): 32-bit protected mode at 0x100000, flat CS/DS,
; paging off. It loads a GDT, zeroes .bss, enables SSE, identity-maps 1 GiB with 2 MiB pages and
; enters long mode as the bench's entry does; then it sets up a 64-bit IDT whose vector 0x20 counts
; ticks, remaps the 8259A master to vectors 0x20-0x27 with only IRQ 0 unmasked, programs the 8254
; channel 0 as a rate generator at about 10 kHz, executes STI and calls the bench's kmain(), which
; never clears IF: it prints its two lines on COM1 and writes its status to port 0xF4.
;
; TICKS (0x100008) holds the number of IRQ 0 interrupts the guest took, as a u64.
; Build: nasm -f elf64 -o boot-irq.o bench-irq64.asm, then ld with the bench's guest.ld.

PIT_DIVISOR equ 119                         ; 1193182 Hz / 119: a tick every 99.7 us (virtual: ~100k instructions)

extern kmain
extern _bss_start, _bss_end

global _start

section .boot progbits alloc exec write align=16

bits 32
_start:
    jmp short entry32

    align 8, db 0
ticks:                                      ; 0x100008, read by the test
    dq 0

entry32:
    cld
    lgdt [gdt_desc]
    jmp 0x08:.flat_cs
.flat_cs:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, stack_top

    mov edi, _bss_start                     ; .bss: page tables, IDT, stack, the workload's data
    mov ecx, _bss_end
    sub ecx, edi
    shr ecx, 2
    xor eax, eax
    rep stosd

    mov eax, cr0                            ; SSE on: CR0.EM=0, CR0.MP=1
    and eax, ~(1 << 2)
    or eax, (1 << 1)
    mov cr0, eax
    mov eax, cr4                            ; CR4.PAE, OSFXSR, OSXMMEXCPT
    or eax, (1 << 5) | (1 << 9) | (1 << 10)
    mov cr4, eax
    fninit
    ldmxcsr [mxcsr_init]

    mov edi, pd                             ; 512 x 2 MiB identity pages: 0 - 1 GiB
    mov eax, 0x83
    mov ecx, 512
.fill_pd:
    mov [edi], eax
    add eax, 0x200000
    add edi, 8
    dec ecx
    jnz .fill_pd
    mov dword [pdpt], pd + 3
    mov dword [pml4], pdpt + 3
    mov eax, pml4
    mov cr3, eax

    mov ecx, 0xC0000080                     ; EFER.LME
    rdmsr
    or eax, (1 << 8)
    wrmsr
    mov eax, cr0                            ; CR0.PG: long mode active
    or eax, (1 << 31)
    mov cr0, eax
    jmp 0x18:long_entry

bits 64
long_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, stack_top

    mov eax, tick                           ; IDT[0x20]: 64-bit interrupt gate to tick (SDM 3A 6.14.1)
    mov edi, idt + 0x20 * 16
    mov [rdi], ax
    mov word [rdi + 2], 0x18
    mov word [rdi + 4], 0x8E00              ; present, DPL 0, type 0xE
    shr eax, 16
    mov [rdi + 6], ax
    lidt [idt_desc]

    mov al, 0x11                            ; 8259A pair: ICW1 edge, cascade, ICW4 follows
    out 0x20, al
    out 0xA0, al
    mov al, 0x20                            ; ICW2: master vectors 0x20-0x27, slave 0x28-0x2F
    out 0x21, al
    mov al, 0x28
    out 0xA1, al
    mov al, 0x04                            ; ICW3: slave on IRQ 2
    out 0x21, al
    mov al, 0x02
    out 0xA1, al
    mov al, 0x01                            ; ICW4: 8086 mode
    out 0x21, al
    out 0xA1, al
    mov al, 0xFE                            ; OCW1: only IRQ 0
    out 0x21, al
    mov al, 0xFF
    out 0xA1, al

    mov al, 0x34                            ; 8254 channel 0, lobyte/hibyte, mode 2 (rate generator)
    out 0x43, al
    mov al, PIT_DIVISOR & 0xFF
    out 0x40, al
    mov al, PIT_DIVISOR >> 8
    out 0x40, al

    sti
    xor ebp, ebp
    call kmain                              ; prints, then exits through port 0xF4
.halt:
    hlt
    jmp .halt

tick:                                       ; IRQ 0: count, non-specific EOI; IRETQ restores RFLAGS
    push rax
    inc qword [ticks]
    mov al, 0x20
    out 0x20, al
    pop rax
    iretq

mxcsr_init:
    dd 0x1F80

    align 8, db 0
gdt:
    dq 0
    dq 0x00CF9A000000FFFF                   ; 0x08 code, 32-bit
    dq 0x00CF92000000FFFF                   ; 0x10 data
    dq 0x00AF9A000000FFFF                   ; 0x18 code, 64-bit
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt
idt_desc:
    dw 256 * 16 - 1
    dq idt

section .bss.boot nobits alloc noexec write align=4096
pml4:   resb 4096
pdpt:   resb 4096
pd:     resb 4096
idt:    resb 4096
        resb 65536
stack_top:

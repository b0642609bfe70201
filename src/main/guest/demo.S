/*
 * The Restvisor demo guest: a tiny interactive monitor on COM1, written for this project.
 * It runs in real mode from 0000:7C00, prints a banner, echoes what is typed and answers a few
 * commands. Built by build.sh into src/main/resources/guests/demo.bin (DemoGuestTest checks that
 * the committed binary matches this source).
 *
 * Devices it uses: COM1 (0x3F8), the RTC (0x70/0x71), port 0x92 (reset) and the debug-exit port 0xF4.
 */
        .code16
        .intel_syntax noprefix
        .section .text
        .globl _start

        .equ COM1, 0x3f8
        .equ LSR, COM1 + 5
        .equ DEBUG_EXIT, 0xf4

_start:
        cli
        cld
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00
        /* 115200 8N1, FIFOs on, no UART interrupts: the monitor polls */
        mov dx, COM1 + 3
        mov al, 0x80
        out dx, al
        mov dx, COM1
        mov al, 1
        out dx, al
        mov dx, COM1 + 1
        xor al, al
        out dx, al
        mov dx, COM1 + 3
        mov al, 0x03
        out dx, al
        mov dx, COM1 + 2
        mov al, 0x07
        out dx, al
        mov dx, COM1 + 4
        mov al, 0x03
        out dx, al
        mov si, offset banner
        call puts

prompt:
        mov si, offset prompt_text
        call puts
        mov di, offset line
read_key:
        call getc
        cmp al, 13
        je end_of_line
        cmp al, 10
        je end_of_line
        cmp al, 127
        je backspace
        cmp al, 8
        je backspace
        cmp al, 32
        jb read_key
        cmp di, offset line_end
        jae read_key
        stosb
        call putc
        jmp read_key
backspace:
        cmp di, offset line
        je read_key
        dec di
        mov si, offset erase
        call puts
        jmp read_key

end_of_line:
        mov byte ptr [di], 0
        mov si, offset crlf
        call puts
        mov si, offset line
        cmp byte ptr [si], 0
        je prompt
        mov bx, offset commands
find_command:
        mov di, [bx]
        test di, di
        jz unknown
        mov si, offset line
        call word_equals
        je found
        add bx, 4
        jmp find_command
found:
        call [bx + 2]
        jmp prompt
unknown:
        mov si, offset unknown_text
        call puts
        jmp prompt

/* ZF set when the first word of the line at SI equals the string at DI; SI then points past it */
word_equals:
        mov al, [di]
        test al, al
        jz word_end
        cmp al, [si]
        jne word_differs
        inc si
        inc di
        jmp word_equals
word_end:
        mov al, [si]
        test al, al
        jz word_same
        cmp al, ' '
        jne word_differs
        inc si
word_same:
        xor al, al
        ret
word_differs:
        or al, 1
        ret

cmd_help:
        mov si, offset help_text
        jmp puts

cmd_echo:
        call puts
        mov si, offset crlf
        jmp puts

cmd_info:
        mov si, offset vendor_text
        call puts
        xor eax, eax
        cpuid
        mov [vendor], ebx
        mov [vendor + 4], edx
        mov [vendor + 8], ecx
        mov si, offset vendor
        call puts
        mov si, offset crlf
        jmp puts

cmd_time:
        mov al, 4
        call cmos_bcd
        mov al, ':'
        call putc
        mov al, 2
        call cmos_bcd
        mov al, ':'
        call putc
        mov al, 0
        call cmos_bcd
        mov si, offset crlf
        jmp puts

/* prints CMOS register AL as two BCD digits */
cmos_bcd:
        out 0x70, al
        in al, 0x71
        mov ah, al
        shr al, 4
        add al, '0'
        call putc
        mov al, ah
        and al, 0x0f
        add al, '0'
        jmp putc

cmd_reboot:
        mov si, offset reboot_text
        call puts
        mov al, 1
        out 0x92, al
        hlt

cmd_exit:
        mov si, offset bye_text
        call puts
        xor al, al
        out DEBUG_EXIT, al
        hlt

/* AL <- next byte from COM1 */
getc:
        mov dx, LSR
getc_wait:
        in al, dx
        test al, 1
        jz getc_wait
        mov dx, COM1
        in al, dx
        ret

/* writes AL to COM1 */
putc:
        push ax
        mov dx, LSR
putc_wait:
        in al, dx
        test al, 0x20
        jz putc_wait
        pop ax
        mov dx, COM1
        out dx, al
        ret

/* writes the NUL-terminated string at SI to COM1 */
puts:
        lodsb
        test al, al
        jz puts_done
        call putc
        jmp puts
puts_done:
        ret

        .section .rodata
commands:
        .word name_help, cmd_help
        .word name_echo, cmd_echo
        .word name_info, cmd_info
        .word name_time, cmd_time
        .word name_reboot, cmd_reboot
        .word name_exit, cmd_exit
        .word 0
name_help:   .asciz "help"
name_echo:   .asciz "echo"
name_info:   .asciz "info"
name_time:   .asciz "time"
name_reboot: .asciz "reboot"
name_exit:   .asciz "exit"
banner:       .asciz "\r\nRestvisor demo monitor - type 'help'\r\n"
prompt_text:  .asciz "demo> "
crlf:         .asciz "\r\n"
erase:        .asciz "\b \b"
unknown_text: .asciz "unknown command; type 'help'\r\n"
help_text:    .ascii "help          this list\r\n"
              .ascii "echo TEXT     prints TEXT\r\n"
              .ascii "info          the CPU vendor from CPUID\r\n"
              .ascii "time          the RTC time (UTC)\r\n"
              .ascii "reboot        resets the machine through port 0x92\r\n"
              .asciz "exit          ends the VM through the debug-exit port\r\n"
vendor_text:  .asciz "CPU vendor: "
reboot_text:  .asciz "rebooting...\r\n"
bye_text:     .asciz "bye\r\n"

        .section .data
vendor:       .space 13
line:         .space 64
line_end:     .byte 0

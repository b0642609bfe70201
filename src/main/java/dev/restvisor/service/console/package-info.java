/**
 * The WebSocket streams of a VM: its serial ports' bytes in both directions (binary frames, as
 * xterm.js takes them, scrollback first) and its event stream (JSON text frames), both closed when
 * the VM is deleted. The protocol is written out in {@link dev.restvisor.service.console.WebSocketConfig#STREAMS}.
 */
package dev.restvisor.service.console;

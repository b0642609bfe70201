/**
 * The WebSocket streams of a VM: its serial ports' bytes in both directions (binary frames, as
 * xterm.js takes them, scrollback first) and its event stream (JSON text frames).
 */
package dev.restvisor.service.console;

package dev.restvisor.service.console;

import dev.restvisor.service.runtime.VmRegistry;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import tools.jackson.databind.json.JsonMapper;

/** Registers the console and events streams. */
@Configuration
@EnableWebSocket
public class WebSocketConfig implements WebSocketConfigurer {
    private final VmRegistry registry;
    private final JsonMapper json;

    public WebSocketConfig(VmRegistry registry, JsonMapper json) {
        this.registry = registry;
        this.json = json;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry handlers) {
        handlers.addHandler(new ConsoleSocket(registry), "/vms/{id}/console")
                .addInterceptors(new Handshake(registry, true)).setAllowedOriginPatterns("*");
        handlers.addHandler(new EventsSocket(registry, json), "/vms/{id}/events")
                .addInterceptors(new Handshake(registry, false)).setAllowedOriginPatterns("*");
    }
}

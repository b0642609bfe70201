package dev.restvisor.service.console;

import dev.restvisor.service.runtime.VmRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
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

    /**
     * Frames up to 2 MiB: a paste as large as the serial input queue arrives whole and is queued or
     * refused with a reason, instead of the container closing the session (1009) at its 8 KiB default.
     */
    @Bean
    public ServletServerContainerFactoryBean webSocketContainer() {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxBinaryMessageBufferSize(2 << 20);
        container.setMaxTextMessageBufferSize(2 << 20);
        return container;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry handlers) {
        handlers.addHandler(new ConsoleSocket(registry), "/vms/{id}/console")
                .addInterceptors(new Handshake(registry, true)).setAllowedOriginPatterns("*");
        handlers.addHandler(new EventsSocket(registry, json), "/vms/{id}/events")
                .addInterceptors(new Handshake(registry, false)).setAllowedOriginPatterns("*");
    }
}

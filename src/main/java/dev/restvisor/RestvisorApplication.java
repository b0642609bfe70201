package dev.restvisor;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Entry point of the Restvisor service. */
@SpringBootApplication
@org.springframework.boot.context.properties.ConfigurationPropertiesScan
public class RestvisorApplication {
    public static void main(String[] args) {
        SpringApplication.run(RestvisorApplication.class, args);
    }
}

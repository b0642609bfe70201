package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** Image upload, de-duplication by SHA-256, listing, deletion and the size limit. */
@TestPropertySource(properties = {"spring.datasource.url=jdbc:h2:mem:restvisor-images;DB_CLOSE_DELAY=-1",
        "restvisor.store.max-image-bytes=3000000"})
class ImageApiTest extends ApiTest {

    static io.restassured.response.ValidatableResponse upload(String name, byte[] bytes) {
        return given().contentType("application/octet-stream").body(bytes).post("/images?name=" + name).then();
    }

    @Test
    void uploadDeduplicateListDelete() throws Exception {
        byte[] bytes = SnapshotApiTest.random(10, 2_500_000);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        String id = upload("kernel", bytes).statusCode(201).header("Location", startsWith("/images/"))
                .body("name", equalTo("kernel")).body("sha256", equalTo(sha)).body("size", equalTo("0x2625a0"))
                .extract().path("id");
        upload("again", bytes).statusCode(200).body("id", equalTo(id)).body("name", equalTo("kernel"));
        when().get("/images").then().statusCode(200).body("id", hasItem(id));
        when().get("/images/" + id).then().statusCode(200).body("sha256", equalTo(sha));
        when().delete("/images/" + id).then().statusCode(204);
        problem(when().get("/images/" + id).then(), 404, "not-found");
        problem(when().delete("/images/" + id).then(), 404, "not-found");
        when().get("/images").then().body("id", not(hasItem(id)));
    }

    @Test
    void uploadProblems() {
        problem(upload("huge", new byte[3_000_001]), 413, "payload-too-large").body("field", equalTo("body"));
        problem(upload("empty", new byte[0]), 400, "invalid-argument");
        problem(given().contentType("application/octet-stream").body(new byte[] {1}).post("/images").then(), 400, "invalid-argument")
                .body("field", equalTo("name"));
        problem(given().contentType("application/json").body("{}").post("/images?name=x").then(), 415, "unsupported-media-type");
        upload("after-errors", new byte[] {1, 2, 3}).statusCode(201);
    }
}

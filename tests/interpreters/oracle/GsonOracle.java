// Reads each file named on the command line as the Java Geppetto server read project files
// (Gson.fromJson, which parses leniently) and prints one line per file: "OK <json>" with the
// value written back as strict JSON (nulls kept), or "ERROR <exception class>".
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

public class GsonOracle {
    public static void main(String[] args) throws Exception {
        Gson gson = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
        for (String name : args) {
            String text = Files.readString(Path.of(name), StandardCharsets.UTF_8);
            try {
                JsonElement value = gson.fromJson(text, JsonElement.class);
                System.out.println("OK " + gson.toJson(value));
            } catch (RuntimeException e) {
                System.out.println("ERROR " + e.getClass().getSimpleName());
            }
        }
    }
}

package teams

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
)

func TestPackageContent(t *testing.T) {
	t.Parallel()
	info := PackageInfo{AppID: testAppID, Developer: "Équipe", WebsiteURL: "https://example.gouv.qc.ca",
		PrivacyURL: "https://example.gouv.qc.ca/confidentialite", TermsURL: "https://example.gouv.qc.ca/conditions"}
	var buf bytes.Buffer
	if err := WritePackage(&buf, info); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	for _, name := range []string{"manifest.json", "en-us.json", "color.png", "outline.png"} {
		if len(files[name]) == 0 {
			t.Errorf("package lacks %s", name)
		}
	}
	if len(files) != 4 {
		t.Errorf("package has %d files, want 4", len(files))
	}

	var m struct {
		Schema          string `json:"$schema"`
		ManifestVersion string `json:"manifestVersion"`
		ID              string `json:"id"`
		Developer       map[string]string
		Name            struct{ Short, Full string }
		Description     struct{ Short, Full string }
		Icons           struct{ Color, Outline string }
		Localization    struct {
			DefaultLanguageTag  string `json:"defaultLanguageTag"`
			AdditionalLanguages []struct {
				LanguageTag, File string
			} `json:"additionalLanguages"`
		} `json:"localizationInfo"`
		Bots []struct {
			BotID        string   `json:"botId"`
			Scopes       []string `json:"scopes"`
			CommandLists []struct {
				Scopes   []string
				Commands []struct{ Title, Description string }
			} `json:"commandLists"`
		}
	}
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if m.ID != testAppID || len(m.Bots) != 1 || m.Bots[0].BotID != testAppID {
		t.Errorf("ids: app %q, bots %+v; want %s", m.ID, m.Bots, testAppID)
	}
	if m.ManifestVersion != ManifestVersion || m.Schema != manifestSchema {
		t.Errorf("schema = %s %s", m.ManifestVersion, m.Schema)
	}
	if got := m.Bots[0].Scopes; len(got) != 3 || got[0] != "personal" || got[1] != "team" || got[2] != "groupChat" {
		t.Errorf("scopes = %v", got)
	}
	if len(m.Bots[0].CommandLists) != 1 || len(m.Bots[0].CommandLists[0].Commands) != len(commandsFR) ||
		m.Bots[0].CommandLists[0].Commands[0].Title != "aide" {
		t.Errorf("commandLists = %+v, want the French commands", m.Bots[0].CommandLists)
	}
	if len(m.Name.Short) > 30 || len(m.Description.Short) > 80 || len(m.Description.Full) > 4000 {
		t.Errorf("name/description too long for Teams: %q %q", m.Name.Short, m.Description.Short)
	}
	if m.Developer["privacyUrl"] != info.PrivacyURL || m.Developer["termsOfUseUrl"] != info.TermsURL {
		t.Errorf("developer = %v", m.Developer)
	}
	if m.Localization.DefaultLanguageTag != "fr-ca" || len(m.Localization.AdditionalLanguages) != 1 ||
		m.Localization.AdditionalLanguages[0].File != "en-us.json" {
		t.Errorf("localizationInfo = %+v", m.Localization)
	}
	var en map[string]string
	if err := json.Unmarshal(files["en-us.json"], &en); err != nil {
		t.Fatalf("en-us.json: %v", err)
	}
	for i, c := range commandsEN {
		if en["bots[0].commandLists[0].commands["+string(rune('0'+i))+"].title"] != c.Title {
			t.Errorf("en-us.json lacks command %d %q", i, c.Title)
		}
	}
	if len(en["name.short"]) > 30 || en["description.short"] == "" {
		t.Errorf("en-us.json names: %v", en)
	}
	// The promise is the one every surface makes, for what this deployment keeps.
	if want := conversation.PrivacyNotice("fr", conversation.DefaultKept); !strings.HasSuffix(m.Description.Full, want) {
		t.Errorf("description.full = %q; want it to end with the privacy notice %q", m.Description.Full, want)
	}
	if want := conversation.PrivacyNotice("en", conversation.DefaultKept); !strings.HasSuffix(en["description.full"], want) {
		t.Errorf("en-us description.full = %q; want it to end with the privacy notice %q", en["description.full"], want)
	}
	if strings.Contains(m.Description.Full+en["description.full"], "ne conserve pas le texte") {
		t.Error("the description still promises that no message text is kept")
	}

	checkIcon := func(name string, size int, outline bool) {
		img, err := png.Decode(bytes.NewReader(files[name]))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Errorf("%s is %dx%d, want %dx%d", name, b.Dx(), b.Dy(), size, size)
		}
		transparent, opaque := 0, 0
		for y := range size {
			for x := range size {
				r, g, b, a := img.At(x, y).RGBA()
				switch {
				case a == 0:
					transparent++
				case outline && (r != a || g != a || b != a): // premultiplied white is r=g=b=a
					t.Fatalf("%s pixel (%d,%d) is not white", name, x, y)
				case a == 0xffff:
					opaque++
				}
			}
		}
		if outline && (transparent == 0 || opaque == 0) {
			t.Errorf("%s: %d transparent, %d opaque pixels: want white on transparent", name, transparent, opaque)
		}
		if !outline && opaque != size*size {
			t.Errorf("%s: %d opaque pixels, want all %d", name, opaque, size*size)
		}
	}
	checkIcon("color.png", 192, false)
	checkIcon("outline.png", 32, true)

	var again bytes.Buffer
	if err := WritePackage(&again, info); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Errorf("package is not reproducible (err %v)", err)
	}
}

func TestPackageRefusesBadAppID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", "not-a-guid", testAppID + "0"} {
		if err := WritePackage(io.Discard, PackageInfo{AppID: id}); err == nil {
			t.Errorf("WritePackage accepted app id %q", id)
		}
	}
}

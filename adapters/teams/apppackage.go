package teams

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"regexp"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

// Teams app package: manifest.json, its English localization and two icons,
// zipped flat, as an administrator uploads it (Teams admin center or
// "Upload a custom app").
const (
	ManifestVersion = "1.22"
	manifestSchema  = "https://developer.microsoft.com/json-schemas/teams/v" + ManifestVersion + "/MicrosoftTeams.schema.json"
	localizationURL = "https://developer.microsoft.com/json-schemas/teams/v" + ManifestVersion + "/MicrosoftTeams.Localization.schema.json"
	accentColor     = "#095797" // Québec blue (Programme d'identification visuelle)
)

// PackageInfo is what the manifest says about the app and its publisher.
type PackageInfo struct {
	AppID      string // Microsoft App ID: both the Teams app id and the bot id
	Version    string // semantic version of the package, e.g. 1.0.0
	Developer  string
	WebsiteURL string
	PrivacyURL string
	TermsURL   string
	// Kept is what the deployment stores, for the description's privacy
	// notice; zero means conversation.DefaultKept.
	Kept conversation.Kept
}

var guidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// command is one entry of the bot's command menu: the words are ones the
// engine understands (see conversation's command words).
type command struct{ Title, Description string }

var (
	commandsFR = []command{
		{"aide", "Ce que je peux faire pour vous"},
		{"vérifier", "Vérifier si un usage de l'IA est visé par la directive"},
		{"recommencer", "Reprendre la vérification depuis le début"},
		{"annuler", "Arrêter la vérification en cours"},
		{"joindre le MCN", "Préparer un courriel à l'équipe du MCN"},
	}
	commandsEN = []command{
		{"help", "What I can do for you"},
		{"check", "Check whether a use of AI is covered by the directive"},
		{"restart", "Start the check over"},
		{"cancel", "Stop the current check"},
		{"contact the MCN", "Draft an e-mail to the MCN team"},
	}
	nameFR = [2]string{"Directive IA", "Directive IA-RI-2025-001-OP : questions et admissibilité"}
	nameEN = [2]string{"AI Directive", "AI directive IA-RI-2025-001-OP: questions and eligibility"}
	descFR = [2]string{
		"Réponses officielles sur la directive IA-RI-2025-001-OP et vérification.",
		"Posez vos questions sur la directive IA-RI-2025-001-OP du ministère de la Cybersécurité et du Numérique : " +
			"le robot cite la FAQ officielle mot pour mot, avec sa source et sa date, et vous guide pas à pas pour " +
			"vérifier si votre usage de l'intelligence artificielle est visé. ",
	}
	descEN = [2]string{
		"Official answers about directive IA-RI-2025-001-OP and an eligibility check.",
		"Ask about directive IA-RI-2025-001-OP of Québec's ministère de la Cybersécurité et du Numérique: " +
			"the bot quotes the official FAQ word for word, with its source and date, and walks you through " +
			"checking whether your use of artificial intelligence is covered. ",
	}
)

// Manifest returns manifest.json and the en-us localization file.
func Manifest(info PackageInfo) (manifest, enUS []byte, err error) {
	if !guidRe.MatchString(info.AppID) {
		return nil, nil, fmt.Errorf("TEAMS_APP_ID %q n'est pas un GUID / is not a GUID", info.AppID)
	}
	if info.Version == "" {
		info.Version = "1.0.0"
	}
	if info.Kept == (conversation.Kept{}) {
		info.Kept = conversation.DefaultKept
	}
	scopes := []string{"personal", "team", "groupChat"}
	cmds := make([]map[string]string, len(commandsFR))
	for i, c := range commandsFR {
		cmds[i] = map[string]string{"title": c.Title, "description": c.Description}
	}
	m := map[string]any{
		"$schema":         manifestSchema,
		"manifestVersion": ManifestVersion,
		"version":         info.Version,
		"id":              info.AppID,
		"developer": map[string]string{
			"name": info.Developer, "websiteUrl": info.WebsiteURL,
			"privacyUrl": info.PrivacyURL, "termsOfUseUrl": info.TermsURL,
		},
		"localizationInfo": map[string]any{
			"defaultLanguageTag":  "fr-ca",
			"additionalLanguages": []map[string]string{{"languageTag": "en-us", "file": "en-us.json"}},
		},
		"name":        map[string]string{"short": nameFR[0], "full": nameFR[1]},
		"description": map[string]string{"short": descFR[0], "full": descFR[1] + conversation.PrivacyNotice("fr", info.Kept)},
		"icons":       map[string]string{"color": "color.png", "outline": "outline.png"},
		"accentColor": accentColor,
		"bots": []map[string]any{{
			"botId":              info.AppID,
			"scopes":             scopes,
			"supportsFiles":      false,
			"isNotificationOnly": false,
			"commandLists":       []map[string]any{{"scopes": scopes, "commands": cmds}},
		}},
		"validDomains": []string{},
	}
	en := map[string]string{
		"$schema":           localizationURL,
		"name.short":        nameEN[0],
		"name.full":         nameEN[1],
		"description.short": descEN[0],
		"description.full":  descEN[1] + conversation.PrivacyNotice("en", info.Kept),
	}
	for i, c := range commandsEN {
		en[fmt.Sprintf("bots[0].commandLists[0].commands[%d].title", i)] = c.Title
		en[fmt.Sprintf("bots[0].commandLists[0].commands[%d].description", i)] = c.Description
	}
	if manifest, err = json.MarshalIndent(m, "", "  "); err != nil {
		return nil, nil, err
	}
	if enUS, err = json.MarshalIndent(en, "", "  "); err != nil {
		return nil, nil, err
	}
	return manifest, enUS, nil
}

// WritePackage writes the app package zip to w.
func WritePackage(w io.Writer, info PackageInfo) error {
	manifest, enUS, err := Manifest(info)
	if err != nil {
		return err
	}
	colorPNG, outlinePNG, err := Icons()
	if err != nil {
		return err
	}
	z := zip.NewWriter(w)
	// A fixed date keeps the package byte-for-byte reproducible.
	stamp := time.Date(2025, 3, 18, 0, 0, 0, 0, time.UTC)
	for _, f := range []struct {
		name string
		data []byte
	}{{"manifest.json", manifest}, {"en-us.json", enUS}, {"color.png", colorPNG}, {"outline.png", outlinePNG}} {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return z.Close()
}

// Icons draws the two icons Teams requires: a 192x192 colour icon and a
// 32x32 outline icon, white on transparent. The motif is a speech bubble
// holding a check mark.
func Icons() (colorPNG, outlinePNG []byte, err error) {
	blue := color.NRGBA{0x09, 0x57, 0x97, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	big := rasterize(192, func(x, y float64) (color.NRGBA, float64) {
		if a := motif(x, y, false); a > 0 {
			return white, a
		}
		return blue, 1 // full-bleed background, as Teams recommends
	})
	small := rasterize(32, func(x, y float64) (color.NRGBA, float64) {
		return white, motif(x, y, true)
	})
	if colorPNG, err = encodePNG(big); err != nil {
		return nil, nil, err
	}
	if outlinePNG, err = encodePNG(small); err != nil {
		return nil, nil, err
	}
	return colorPNG, outlinePNG, nil
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	err := png.Encode(&buf, img)
	return buf.Bytes(), err
}

// rasterize renders shade over a size x size image in unit coordinates, with 4x4
// supersampling for smooth edges.
func rasterize(size int, shade func(x, y float64) (color.NRGBA, float64)) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	for py := range size {
		for px := range size {
			var r, g, b, a float64
			for sy := range ss {
				for sx := range ss {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(size)
					c, cov := shade(x, y)
					r += float64(c.R) * cov
					g += float64(c.G) * cov
					b += float64(c.B) * cov
					a += cov
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(r / a), G: uint8(g / a), B: uint8(b / a),
				A: uint8(math.Round(255 * a / ss / ss)),
			})
		}
	}
	return img
}

// motif returns the coverage (0 or 1) of the bubble-and-check drawing at
// (x, y) in [0,1]². For the outline icon the bubble is a ring, for the
// colour icon a filled shape whose check mark is cut out.
func motif(x, y float64, outline bool) float64 {
	const cx, cy, rx, ry = 0.5, 0.45, 0.34, 0.27
	d := math.Hypot((x-cx)/rx, (y-cy)/ry) // < 1 inside the bubble's ellipse
	tail := inTriangle(x, y, 0.30, 0.62, 0.44, 0.68, 0.24, 0.84)
	check := segDist(x, y, 0.36, 0.45, 0.46, 0.55) < 0.045 || segDist(x, y, 0.46, 0.55, 0.65, 0.34) < 0.045
	if outline {
		ring := d < 1 && d > 0.78
		if ring || (tail && d >= 1) || check {
			return 1
		}
		return 0
	}
	if (d < 1 || tail) && !check {
		return 1
	}
	return 0
}

func segDist(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := ((px-ax)*dx + (py-ay)*dy) / (dx*dx + dy*dy)
	t = max(0, min(1, t))
	return math.Hypot(px-(ax+t*dx), py-(ay+t*dy))
}

func inTriangle(px, py, ax, ay, bx, by, cx, cy float64) bool {
	s1 := (bx-ax)*(py-ay) - (by-ay)*(px-ax)
	s2 := (cx-bx)*(py-by) - (cy-by)*(px-bx)
	s3 := (ax-cx)*(py-cy) - (ay-cy)*(px-cx)
	return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0)
}

package conversation

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
)

// ErrorJSON is the one shape of every error the server writes, whatever
// the route: the message in both languages, and each alone for a client
// that picks one.
type ErrorJSON struct {
	Error   string `json:"error"`
	ErrorFR string `json:"error_fr"`
	ErrorEN string `json:"error_en"`
}

// WriteError writes status and the bilingual ErrorJSON.
func WriteError(w http.ResponseWriter, status int, fr, en string) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorJSON{Error: fr + " / " + en, ErrorFR: fr, ErrorEN: en})
}

// StatusText is the bilingual default message of an error status.
func StatusText(status int) (fr, en string) {
	switch status {
	case http.StatusBadRequest:
		return "Requête invalide.", "Bad request."
	case http.StatusUnauthorized:
		return "Authentification requise.", "Authentication required."
	case http.StatusForbidden:
		return "Accès refusé.", "Access denied."
	case http.StatusNotFound:
		return "Cette adresse n'existe pas sur ce serveur.", "This address does not exist on this server."
	case http.StatusMethodNotAllowed:
		return "Méthode non permise pour cette adresse.", "Method not allowed for this address."
	case http.StatusRequestTimeout:
		return "Le corps de la requête n'est pas arrivé à temps.", "The request body did not arrive in time."
	case http.StatusRequestEntityTooLarge:
		return "Requête trop volumineuse.", "Request too large."
	case http.StatusUnsupportedMediaType:
		return "Type de contenu non pris en charge.", "Unsupported content type."
	case http.StatusTooManyRequests:
		return "Trop de requêtes : réessayez dans un instant.", "Too many requests: try again in a moment."
	case http.StatusRequestHeaderFieldsTooLarge:
		return "En-têtes de requête trop volumineux.", "Request headers too large."
	case http.StatusNotImplemented:
		return "Fonction non prise en charge par ce serveur.", "Not supported by this server."
	case http.StatusServiceUnavailable:
		return "Service momentanément indisponible.", "Service temporarily unavailable."
	}
	if status >= 500 {
		return "Erreur interne du serveur. Réessayez dans un instant.", "Internal server error. Please try again in a moment."
	}
	return "La requête n'a pas pu être traitée.", "The request could not be processed."
}

// IsTimeout says whether a body read failed because the client was too
// slow (the server's read deadline), which is a 408, not a bad body.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

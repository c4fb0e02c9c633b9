package api

import (
	"encoding/json"
	"net/http"

	"bayboard/shop"
	"bayboard/store"
)

// Approvals serves the JSON of the customer's approval page (issue 17): no
// login, the token in the path is the permission (one order, 72 hours,
// revocable). Mount it behind a per-address rate limit.
type Approvals struct {
	DB *store.DB
}

// ServeView handles GET /approve/{token}/view: the car, the inspection with
// photos and each proposed item (store.ApprovalView); 404 when the link is
// unknown, expired or revoked.
func (a *Approvals) ServeView(w http.ResponseWriter, r *http.Request) {
	v, err := a.DB.FindApprovalView(r.Context(), r.PathValue("token"))
	if err != nil {
		writeUploadError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_ = json.NewEncoder(w).Encode(v)
}

// answer is the body of POST /approve/{token}/answer.
type answer struct {
	AdditionalWorkID string `json:"additionalWorkId"`
	Approve          bool   `json:"approve"`
	Name             string `json:"name"`
}

// ServeAnswer handles POST /approve/{token}/answer {additionalWorkId,
// approve, name}: the customer approves or declines one item, through the
// same decision as the advisor's, with the channel CUSTOMER_LINK. It
// answers {"state": …} or an error object (400 INVALID, 404, 409 for an
// item already answered).
func (a *Approvals) ServeAnswer(w http.ResponseWriter, r *http.Request) {
	var in answer
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
		writeUploadError(w, r, shop.FieldErrorf("body", "Send JSON: {\"additionalWorkId\", \"approve\", \"name\"}."))
		return
	}
	id, err := shop.ParseTypedID("additionalWorkId", shop.TypeAdditionalWork, in.AdditionalWorkID)
	if err != nil {
		writeUploadError(w, r, err)
		return
	}
	aw, err := a.DB.DecideByLink(r.Context(), store.DecideByLinkInput{Token: r.PathValue("token"),
		AdditionalWorkID: shop.AdditionalWorkID(id), Approve: in.Approve, Name: in.Name})
	if err != nil {
		if shop.ErrorCode(err) == shop.EINVALIDTRANSITION {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusConflict)
			_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": shop.ErrorMessage(err),
				"extensions": map[string]any{"code": shop.EINVALIDTRANSITION}}}})
			return
		}
		writeUploadError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"state": aw.State})
}

package index

import (
	"errors"
	"fmt"
	"math"
)

// Model is the learned decision: a conditional logit over the candidate
// entries and "none of them". Each candidate scores w·x (x: its evidence,
// standardised), "none" scores 0, and the probability that candidate k
// answers the message is exp(s_k) / (1 + Σ_j exp(s_j)). It is trained on the FAQ itself (each phrasing
// scored as if the FAQ lacked it), on its phrasings set in context, and on
// the labelled examples (faq.Example), out-of-scope ones included.
type Model struct {
	// Content identifies what the model was trained on (ContentKey): a
	// model is reused only for the same content and parameters.
	Content  string    `json:"content"`
	Features []string  `json:"features"`
	Mean     []float64 `json:"mean"`
	Scale    []float64 `json:"scale"`
	Weights  []float64 `json:"weights"`
	Bias     float64   `json:"bias"`
	// Rows and Positives count the training rows, for the record.
	Rows      int `json:"rows"`
	Positives int `json:"positives"`
}

func (m *Model) check() error {
	if m == nil {
		return errors.New("no model")
	}
	if len(m.Features) != nFeat || len(m.Mean) != nFeat || len(m.Scale) != nFeat || len(m.Weights) != nFeat {
		return fmt.Errorf("model has %d features, want %d", len(m.Weights), nFeat)
	}
	for k, f := range featureNames {
		if m.Features[k] != f {
			return fmt.Errorf("model feature %d is %q, want %q", k, m.Features[k], f)
		}
	}
	return nil
}

// probs fills p with the probability of each candidate (rows).
func (m *Model) probs(rows [][nFeat]float64, p []float64) {
	mx := 0.0 // "none" scores 0
	for k := range rows {
		z := m.Bias
		for f := range rows[k] {
			z += m.Weights[f] * (rows[k][f] - m.Mean[f]) / m.Scale[f]
		}
		p[k] = z
		mx = max(mx, z)
	}
	sum := math.Exp(-mx)
	for k := range rows {
		p[k] = math.Exp(p[k] - mx)
		sum += p[k]
	}
	for k := range rows {
		p[k] /= sum
	}
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// fitConditional fits the weights by Newton's method with an L2 penalty:
// exact, deterministic, and quick for a few dozen features. Query q owns
// rows groups[q]..groups[q+1]-1; y marks the right candidate (none for an
// out-of-scope query); sw weighs each query.
// Newton's method starts from start (the shipped model, when there is one:
// the optimum is unique, so the start only saves iterations).
func fitConditional(x [][nFeat]float64, y []float64, groups []int, sw []float64, l2 float64, start *Model) (*Model, error) {
	n := len(x)
	if n == 0 {
		return nil, errors.New("no training rows")
	}
	m := &Model{Features: featureNames[:], Mean: make([]float64, nFeat), Scale: make([]float64, nFeat), Weights: make([]float64, nFeat)}
	for r := range x {
		for k := range nFeat {
			m.Mean[k] += x[r][k]
		}
	}
	for k := range nFeat {
		m.Mean[k] /= float64(n)
	}
	for r := range x {
		for k := range nFeat {
			d := x[r][k] - m.Mean[k]
			m.Scale[k] += d * d
		}
	}
	for k := range nFeat {
		m.Scale[k] = math.Sqrt(m.Scale[k] / float64(n))
		if m.Scale[k] < 1e-9 {
			m.Scale[k] = 1
		}
	}
	const d = nFeat + 1 // weights, then bias
	z := make([][d]float64, n)
	for r := range x {
		for k := range nFeat {
			z[r][k] = (x[r][k] - m.Mean[k]) / m.Scale[k]
		}
		z[r][nFeat] = 1
	}
	var beta [d]float64
	if start != nil && start.check() == nil {
		// The same weights on this data's scale.
		for k := range nFeat {
			beta[k] = start.Weights[k] / start.Scale[k] * m.Scale[k]
			beta[nFeat] += start.Weights[k] / start.Scale[k] * (m.Mean[k] - start.Mean[k])
		}
		beta[nFeat] += start.Bias
	}
	p := make([]float64, 0, maxCandidates+1)
	// utilities fills p with the scores of rows lo..hi-1 and returns the
	// largest of them and of "none" (0).
	utilities := func(beta *[d]float64, lo, hi int) float64 {
		p = p[:0]
		mx := 0.0
		for r := lo; r < hi; r++ {
			var v float64
			for k := range d {
				v += beta[k] * z[r][k]
			}
			p = append(p, v)
			mx = max(mx, v)
		}
		return mx
	}
	// loss is the penalised negative log-likelihood, for the step control.
	loss := func(beta *[d]float64) float64 {
		var l float64
		for q := 0; q+1 < len(groups); q++ {
			lo, hi := groups[q], groups[q+1]
			mx, picked := utilities(beta, lo, hi), 0.0 // "none" scores 0
			sum := math.Exp(-mx)
			for k, v := range p {
				sum += math.Exp(v - mx)
				if y[lo+k] > 0.5 {
					picked = v
				}
			}
			l += sw[q] * (mx + math.Log(sum) - picked)
		}
		for k := range nFeat {
			l += l2 / 2 * beta[k] * beta[k]
		}
		return l
	}
	cur := loss(&beta)
	for iter := 0; iter < 50; iter++ {
		var g [d]float64
		var hm [d][d]float64
		for q := 0; q+1 < len(groups); q++ {
			lo, hi := groups[q], groups[q+1]
			mx := utilities(&beta, lo, hi)
			sum := math.Exp(-mx)
			for k := range p {
				p[k] = math.Exp(p[k] - mx)
				sum += p[k]
			}
			var mean [d]float64
			for k := range p {
				p[k] /= sum
				for a := range d {
					mean[a] += p[k] * z[lo+k][a]
				}
			}
			w := sw[q]
			for k := range p {
				r := lo + k
				for a := range d {
					g[a] += w * (p[k] - y[r]) * z[r][a]
					for b := 0; b <= a; b++ {
						hm[a][b] += w * p[k] * z[r][a] * z[r][b]
					}
				}
			}
			for a := range d {
				for b := 0; b <= a; b++ {
					hm[a][b] -= w * mean[a] * mean[b]
				}
			}
		}
		for a := range d {
			for b := 0; b < a; b++ {
				hm[b][a] = hm[a][b]
			}
			if a < nFeat { // the bias is not penalised
				g[a] += l2 * beta[a]
				hm[a][a] += l2
			}
			hm[a][a] += 1e-6
		}
		step, err := solve(hm, g)
		if err != nil {
			return nil, err
		}
		// Newton's full step, halved while it does not lower the loss: far
		// from the optimum (a warm start on other content) the full step
		// can overshoot and diverge.
		var change float64
		for t := 1.0; t > 1e-4; t /= 2 {
			next := beta
			for k := range d {
				next[k] -= t * step[k]
			}
			if l := loss(&next); l <= cur || t/2 <= 1e-4 {
				change = 0
				for k := range d {
					change = max(change, math.Abs(next[k]-beta[k]))
				}
				beta, cur = next, l
				break
			}
		}
		if change < 1e-6 {
			break
		}
	}
	copy(m.Weights, beta[:nFeat])
	m.Bias = beta[nFeat]
	m.Rows = n
	for _, v := range y {
		if v > 0.5 {
			m.Positives++
		}
	}
	return m, nil
}

// solve solves a x = b for a symmetric positive definite a (Cholesky).
func solve(a [nFeat + 1][nFeat + 1]float64, b [nFeat + 1]float64) ([nFeat + 1]float64, error) {
	const d = nFeat + 1
	var l [d][d]float64
	var x [d]float64
	for i := range d {
		for j := 0; j <= i; j++ {
			s := a[i][j]
			for k := range j {
				s -= l[i][k] * l[j][k]
			}
			if i == j {
				if s <= 0 {
					return x, errors.New("training: singular system")
				}
				l[i][i] = math.Sqrt(s)
			} else {
				l[i][j] = s / l[j][j]
			}
		}
	}
	var y [d]float64
	for i := range d {
		s := b[i]
		for k := range i {
			s -= l[i][k] * y[k]
		}
		y[i] = s / l[i][i]
	}
	for i := d - 1; i >= 0; i-- {
		s := y[i]
		for k := i + 1; k < d; k++ {
			s -= l[k][i] * x[k]
		}
		x[i] = s / l[i][i]
	}
	return x, nil
}

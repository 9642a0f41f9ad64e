package classify

import (
	"math"
	"math/rand/v2"
	"time"
)

// RetryPolicy turns a verdict into a queue decision: retry when, or give up.
// Delays grow exponentially from InitialDelay by Multiplier up to MaxDelay,
// are multiplied by SlowDownFactor when the verdict asks to slow down, and
// carry ±Jitter so retries from a large queue do not arrive in waves. A
// message is never retried after MaxAge since its first attempt (the queue
// lifetime; Postfix's maximal_queue_lifetime, RFC 5321 §4.5.4.1 suggests
// at least 4-5 days), nor after MaxAttempts, nor ever when the verdict says
// not to retry (hard, or not a failure).
//
// The zero RetryPolicy uses the defaults documented on each field. A
// RetryPolicy is a plain value, safe for concurrent use when its Now and
// Rand functions are.
type RetryPolicy struct {
	InitialDelay   time.Duration // delay after the first attempt; default 5 minutes
	MaxDelay       time.Duration // cap of the exponential delay; default 4 hours
	Multiplier     float64       // growth per attempt; default 2
	SlowDownFactor float64       // extra multiplier when the verdict sets slow_down; default 4
	Jitter         float64       // relative jitter in [0, 1]; default 0.2 (±20%); negative disables
	MaxAge         time.Duration // queue lifetime from the first attempt; default 72 hours
	MaxAttempts    int           // attempts after which to give up; 0 = no limit

	// Now is the clock; default time.Now.
	Now func() time.Time
	// Rand returns a number in [0, 1) for the jitter; default math/rand/v2.
	Rand func() float64
}

// RetryDecision is what the queue should do with one message.
type RetryDecision struct {
	Retry bool          // retry the message
	At    time.Time     // when, if Retry
	Delay time.Duration // At minus now, if Retry
	// Expired is true when the message gave up because of MaxAge or
	// MaxAttempts (the verdict alone would have retried).
	Expired bool
	// Reason is one line for logs.
	Reason string
}

// DefaultRetryPolicy is the zero RetryPolicy with its defaults spelled out.
var DefaultRetryPolicy = RetryPolicy{
	InitialDelay: 5 * time.Minute, MaxDelay: 4 * time.Hour, Multiplier: 2,
	SlowDownFactor: 4, Jitter: 0.2, MaxAge: 72 * time.Hour,
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy
	if p.InitialDelay <= 0 {
		p.InitialDelay = d.InitialDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = d.MaxDelay
	}
	if p.Multiplier < 1 {
		p.Multiplier = d.Multiplier
	}
	if p.SlowDownFactor < 1 {
		p.SlowDownFactor = d.SlowDownFactor
	}
	if p.Jitter == 0 {
		p.Jitter = d.Jitter
	} else if p.Jitter < 0 {
		p.Jitter = 0
	} else if p.Jitter > 1 {
		p.Jitter = 1
	}
	if p.MaxAge <= 0 {
		p.MaxAge = d.MaxAge
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Rand == nil {
		p.Rand = rand.Float64
	}
	return p
}

// Decide returns the decision for a message whose latest attempt (number
// attempt, counting from 1) got verdict v, first attempted at firstAttempt.
// A hard verdict is never retried, whatever the policy.
func (p RetryPolicy) Decide(v Verdict, attempt int, firstAttempt time.Time) RetryDecision {
	p = p.withDefaults()
	if !v.Retry || v.Severity == SeverityHard {
		if v.Severity == SeverityNone {
			return RetryDecision{Reason: "not a failure: nothing to retry"}
		}
		return RetryDecision{Reason: "hard failure (" + string(v.Category) + "): do not retry this message"}
	}
	if attempt < 1 {
		attempt = 1
	}
	if p.MaxAttempts > 0 && attempt >= p.MaxAttempts {
		return RetryDecision{Expired: true, Reason: "maximum number of attempts reached: give up"}
	}
	now := p.Now()
	if firstAttempt.IsZero() {
		firstAttempt = now
	}
	delay := float64(p.InitialDelay) * math.Pow(p.Multiplier, float64(attempt-1))
	delay = math.Min(delay, float64(p.MaxDelay))
	reason := "transient failure (" + string(v.Category) + "): retry with exponential backoff"
	if v.SlowDown {
		delay *= p.SlowDownFactor
		reason = "transient failure (" + string(v.Category) + ") asking to slow down: retry later than usual"
	}
	delay *= 1 + p.Jitter*(2*p.Rand()-1)
	d := time.Duration(delay)
	at := now.Add(d)
	if at.Sub(firstAttempt) > p.MaxAge {
		return RetryDecision{Expired: true, Reason: "the next attempt would be past the queue lifetime: give up (expired)"}
	}
	return RetryDecision{Retry: true, At: at, Delay: d, Reason: reason}
}

package bounce

import "testing"

// stageFromTranscript reads the stage only where a transcript states it,
// and tells a DATA reply from a pipelined RCPT reply read after ">>> DATA".
func TestStageFromTranscript(t *testing.T) {
	tests := []struct {
		name, text, addr string
		want             Stage
	}{
		{"one reply after DATA answers DATA", "... while talking to mx.a.example.:\n>>> DATA\n<<< 550 No such user ann@a.example\n554 5.0.0 Service unavailable\n", "ann@a.example", StageDATA},
		{"pipelined: the last reply answers DATA", ">>> DATA\n<<< 550 5.1.1 <bo@b.example>... User unknown\n550 5.1.1 <bo@b.example>... User unknown\n<<< 503 5.0.0 Need RCPT (recipient)\n", "bo@b.example", StageRCPT},
		{"multi-line last reply", ">>> DATA\n<<< 550 <cy@c.example>: unknown\n<<< 503-All RCPT commands were rejected\n<<< 503 unknown user\n", "cy@c.example", StageRCPT},
		{"RCPT command", ">>> RCPT To:<di@d.example>\n<<< 550 5.1.1 <di@d.example>... User unknown\n", "di@d.example", StageRCPT},
		{"quoted transcript", "> ... while talking to mx.e.example.:\n>>>> DATA\n> <<< 550 5.1.1 <ed@e.example>... User unknown\n> <<< 503 5.0.0 Need RCPT (recipient)\n", "ed@e.example", StageRCPT},
		{"no reply names the address", ">>> DATA\n<<< 550 5.1.1 <other@f.example>... User unknown\n", "fi@f.example", StageUnknown},
		{"blank line ends a session", ">>> DATA\n\n<<< 550 gu@g.example unknown\n", "gu@g.example", StageUnknown},
		{"m-FILTER command", "hy@h.example\n\n-------server message\n550 No such user hy@h.example\n\n-------SMTP command\nDATA\n\n-------original message\n", "hy@h.example", StageDATA},
		{"no transcript", "550 5.1.1 <io@i.example>: User unknown\n", "io@i.example", StageUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stageFromTranscript(tt.text, tt.addr); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

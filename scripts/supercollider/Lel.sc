// Lel: play a running lel daemon (leld) from SuperCollider.
//
// Install: copy this file (or the folder it is in) into your Extensions
// folder (Platform.userExtensionDir, e.g. ~/.local/share/SuperCollider/Extensions)
// and recompile the class library (Language > Recompile Class Library).
//
//     ~lel = Lel();                               // leld on 127.0.0.1:57140, the server's latency
//     ~lel.load("/home/me/lel/piece.so");
//     ~lel.set("bass", \cutoff, 1200, \lag, 0.5);  // lel::param(s, "cutoff", ...) sweeps there
//     ~lel.trig("bass", \gate);                   // a one-sample trigger
//     ~lel.follow(TempoClock.default);            // leld's s.beat and quantized loads follow the clock
//     ~lel.onEvent { |kind ... args| [kind, args].postln };  // loads that took effect, muted signals, underruns
//     Pbind(\type, \lel, \signal, "bass", \degree, Pseq([0, 2, 4, 7], inf), \dur, 0.25).play;
//
// Every message goes out as a bundle time-stamped `latency` seconds after
// the sending thread's logical time, like a Synth's: leld applies it on the
// frame of that time, so a Pbind's notes land on their frames whatever the
// network or sclang's jitter.
Lel {
	classvar <>default;
	var <addr, <>latency;

	*new { |host = "127.0.0.1", port = 57140, latency|
		^super.new.init(host, port, latency)
	}

	init { |host, port, argLatency|
		addr = NetAddr(host, port);
		latency = argLatency ?? { Server.default.latency ? 0.2 };
		default = default ? this;
	}

	send { |... msg| addr.sendBundle(latency, msg) }
	sendBundle { |... msgs| addr.sendBundle(latency, *msgs) }

	// Sets parameters: pairs of names and values; \lag, seconds among them
	// makes them move there over that time.
	set { |signal ... pairs| this.send(*(["/lel/set", signal.asString] ++ this.prPairs(pairs))) }
	// Gives parameters a value (1 unless given) for one sample.
	trig { |signal ... pairs|
		if(pairs.size == 1) { pairs = pairs ++ [1] };
		this.send(*(["/lel/trig", signal.asString] ++ this.prPairs(pairs)))
	}
	load { |path, quant| this.send(*(["/lel/load", path.asString] ++ (quant !? { [quant] } ? []))) }
	// Shares `clock`'s tempo and beat with leld: its s.beat and quantized
	// loads then follow the clock. Call it from a Routine on the clock (or
	// with the clock's beats current).
	follow { |clock|
		clock = clock ? TempoClock.default;
		this.sendBundle(["/lel/tempo", clock.tempo * 60, clock.beats + (latency * clock.tempo)])
	}
	tempo { |bpm| addr.sendMsg("/lel/tempo", bpm) }
	// Subscribes to leld's events (/lel/notify 1): `func` gets each one's
	// kind as a Symbol and its arguments, e.g. \load, path, signals, frame;
	// \muted, name; \underruns, total. Returns the OSCFunc (free it, then
	// call stopEvents, to stop).
	onEvent { |func|
		var f = OSCFunc({ |msg| func.value(msg[1].asSymbol, *msg[2..]) }, '/lel/event', addr);
		addr.sendMsg("/lel/notify", 1);
		^f
	}
	stopEvents { addr.sendMsg("/lel/notify", 0) }
	clear { addr.sendMsg("/lel/clear") }
	status { addr.sendMsg("/lel/status") }

	prPairs { |pairs|
		^pairs.collect { |x, i| if(i.even) { x.asString } { x.value.asFloat } }
	}

	*initClass {
		Class.initClassTree(Event);
		// Pbind(\type, \lel, \signal, "bass", ...): each event sets the
		// signal's parameters named in \params (default: freq) from the
		// event's keys (freq from \degree, \note, \midinote as usual), then
		// triggers its \gate parameter (\trigger names another; \trigger, false:
		// none), in one
		// bundle at the event's time plus \lel's latency.
		Event.addEventType(\lel, {
			var lel = ~lel ? Lel.default ?? { Lel() };
			var signal = (~signal ? "").asString;
			var names = ~params ? [\freq];
			var pairs = names.collect { |k| [k.asString, currentEnvironment.at(k).value.asFloat] }.flatten;
			var gate = ~trigger ? \gate;  // \trigger, false: no trigger
			var msgs = [["/lel/set", signal] ++ pairs];
			if(gate != false) { msgs = msgs.add(["/lel/trig", signal, gate.asString, 1.0]) };
			if(currentEnvironment.isRest.not) { lel.sendBundle(*msgs) };
		});
	}
}

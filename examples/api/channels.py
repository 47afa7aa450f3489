import csoundpy as libcsound
import time
import queue

cs = libcsound.Csound()
cs.setOption("-+rtaudio=null -odac -B512 -b256")
cs.compileOrc(r'''
sr = 48000
ksmps = 64
0dbfs = 1
nchnls = 2

instr 1
  i_id = p4
  Schan = sprintf("kfreq:%d", i_id)
  kfreq = chnget:k(Schan)
  asig = vco2(0.1, lag:k(kfreq, 0.1))
  outch 1, asig
endin
''')

thread = cs.performanceThread()
thread.setProcessQueue()
thread.play()

# This function launches an instance of instr 1
def launch1(noteid, freq, t=0, dur=10):
    # A queue to receive the channel pointer once the instance is launched
    q = queue.SimpleQueue()

    # The actual callback
    def task(cs):
        # Create a channel specific to this instance
        arr, err = cs.channelPtr(f"kfreq:{noteid}", "control")
        arr[0] = freq
        # Launch the actual instance with the given note id
        thread.scoreEvent(0, 'i', (1, t, dur, noteid))
        # Put the channel pointer in the queue, this notifies the main thread that we are done
        q.put(arr)
    # Launch a process task
    thread.processQueueTask(task)
    # Wait for the task to finish, this returns the channel pointer
    return q.get()

# Launch 2 events with ids 1 and 2
score = {1: (0, 10, 800),
         2: (1, 10, 810)}
channels = {eventid: launch1(eventid, freq=data[2], t=data[0], dur=data[1]) for eventid, data in score.items()}

time.sleep(2)
# Modify the freq. of event 1
channels[1][0] = 600

time.sleep(3)
cs.stop()
